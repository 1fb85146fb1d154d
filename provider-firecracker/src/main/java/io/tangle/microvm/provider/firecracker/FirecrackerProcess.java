package io.tangle.microvm.provider.firecracker;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Firecracker process of a VM, spawned by this provider as {@code <binary> --api-sock
 * <socket>} or adopted after an operator restart.
 *
 * <p>For an adopted process the exit status is unknown, and the JDK notices its exit by polling
 * (first after 300 ms, then less often), because the process is not a child of this JVM.
 */
final class FirecrackerProcess {

    /** The command line option that names the API socket, in Firecracker and in the fake of the tests. */
    static final String API_SOCK_OPTION = "--api-sock";

    /** At each launch, a log larger than this moves to {@code firecracker.log.1}, replacing the older one. */
    static final long LOG_ROTATE_BYTES = 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(FirecrackerProcess.class);

    private final String vmId;
    private final ProcessHandle handle;
    private final Process child;
    private final Instant startedAt;
    private final Path socket;
    private final int slot;
    private final Path logFile;
    private final FirecrackerApiClient api;

    private volatile boolean exitExpected;

    private FirecrackerProcess(String vmId, ProcessHandle handle, Process child, Instant startedAt, Path socket,
            int slot, Path logFile) {
        this.vmId = vmId;
        this.handle = handle;
        this.child = child;
        this.startedAt = startedAt;
        this.socket = socket;
        this.slot = slot;
        this.logFile = logFile;
        this.api = new FirecrackerApiClient(socket);
    }

    /**
     * Starts {@code <binary> --api-sock <socket>} in {@code workDir}. Its stdout and stderr, which
     * carry Firecracker's log and the guest's serial console, are appended to {@code logFile}, so
     * an old and a new process of a restore can both write to it.
     *
     * <p>NOTE: the log is rotated only at launch, so a guest that prints without pause grows it
     * until the next launch.
     */
    static FirecrackerProcess spawn(String vmId, Path binary, Path socket, int slot, Path workDir, Path logFile)
            throws IOException {
        rotateLog(logFile);
        Process process = new ProcessBuilder(binary.toString(), API_SOCK_OPTION, socket.toString())
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        ProcessHandle handle = process.toHandle();
        Instant startedAt = handle.info().startInstant().orElse(Instant.now());
        return new FirecrackerProcess(vmId, handle, process, startedAt, socket, slot, logFile);
    }

    /** Wraps a live process that an earlier provider instance started. */
    static FirecrackerProcess adopt(String vmId, ProcessHandle handle, Instant startedAt, Path socket, int slot,
            Path logFile) {
        return new FirecrackerProcess(vmId, handle, null, startedAt, socket, slot, logFile);
    }

    long pid() {
        return handle.pid();
    }

    Instant startedAt() {
        return startedAt;
    }

    Path socket() {
        return socket;
    }

    int slot() {
        return slot;
    }

    FirecrackerApiClient api() {
        return api;
    }

    boolean isAlive() {
        return handle.isAlive();
    }

    /** Returns a future that completes when the process has exited. */
    CompletableFuture<?> exitFuture() {
        return child != null ? child.onExit() : handle.onExit();
    }

    /** Marks the coming exit as intended, so the exit watcher does not report it as a crash. */
    void expectExit() {
        exitExpected = true;
    }

    boolean isExitExpected() {
        return exitExpected;
    }

    /**
     * Ends the process: {@code graceful} first when given (such as {@code SendCtrlAltDel}, bounded
     * by {@code apiTimeout}), then SIGTERM, then SIGKILL, waiting up to {@code stopTimeout} after
     * each. A graceful call that fails or times out is logged and followed by SIGTERM at once.
     */
    Termination terminate(ApiCall graceful, Duration apiTimeout, Duration stopTimeout) throws InterruptedException {
        expectExit();
        if (!isAlive()) {
            return Termination.ALREADY_EXITED;
        }

        if (graceful != null) {
            try {
                api.send(graceful, apiTimeout);
                if (awaitExit(stopTimeout)) {
                    return Termination.GRACEFUL;
                }
                log.warn("vm '{}' (pid {}): Firecracker did not exit within {} ms of {}; sending SIGTERM", vmId, pid(),
                        stopTimeout.toMillis(), graceful);
            } catch (FirecrackerApiException e) {
                log.warn("vm '{}' (pid {}): {}; sending SIGTERM", vmId, pid(), e.getMessage());
            }
        }

        handle.destroy();
        if (awaitExit(stopTimeout)) {
            return Termination.SIGTERM;
        }

        log.warn("vm '{}' (pid {}): Firecracker did not exit within {} ms of SIGTERM; sending SIGKILL", vmId, pid(),
                stopTimeout.toMillis());
        handle.destroyForcibly();
        return awaitExit(stopTimeout) ? Termination.SIGKILL : Termination.STILL_ALIVE;
    }

    /** Sends SIGKILL at once and waits up to {@code wait}, for launches that failed. */
    boolean kill(Duration wait) throws InterruptedException {
        expectExit();
        handle.destroyForcibly();
        return awaitExit(wait);
    }

    /**
     * Waits up to {@code timeout} for the process to exit. For a spawned process, it returns true
     * only once the JDK has collected the exit status, which {@link #exitDescription} needs.
     */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        boolean alreadyExited = child != null ? !child.isAlive() : !handle.isAlive();
        if (alreadyExited) {
            return true;
        }
        try {
            exitFuture().get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return !isAlive();
        }
    }

    /** Removes the API socket file, which Firecracker leaves behind when it exits. */
    void deleteSocket() {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log.warn("vm '{}': cannot remove the API socket {}: {}", vmId, socket, e.toString());
        }
    }

    /** Describes how the process ended: the exit status or signal when known, and the last line it printed. */
    String exitDescription() {
        StringBuilder text = new StringBuilder("Firecracker process ").append(pid());
        if (child != null && !child.isAlive()) {
            int status = child.exitValue();
            // The JDK reports death by signal N as exit status 128 + N.
            if (status > 128 && status < 128 + 65) {
                text.append(" was killed by signal ").append(status - 128).append(signalName(status - 128));
            } else {
                text.append(" exited with status ").append(status);
            }
        } else {
            text.append(" exited (status unknown: the process was adopted from an earlier provider run)");
        }
        List<String> lastLines = lastLogLines(1);
        if (!lastLines.isEmpty()) {
            text.append(", last output: ").append(lastLines.get(0));
        }
        return text.toString();
    }

    /** Returns the last {@code count} non-blank lines of the log. */
    List<String> lastLogLines(int count) {
        return tailLines(logFile, count);
    }

    static List<String> tailLines(Path file, int count) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try (RandomAccessFile input = new RandomAccessFile(file.toFile(), "r")) {
            long length = input.length();
            int window = (int) Math.min(length, 16 * 1024);
            byte[] bytes = new byte[window];
            input.seek(length - window);
            input.readFully(bytes);
            List<String> lines = new String(bytes, StandardCharsets.UTF_8).strip().lines()
                    .filter(line -> !line.isBlank())
                    .toList();
            return lines.subList(Math.max(0, lines.size() - count), lines.size());
        } catch (IOException e) {
            return List.of("(cannot read " + file + ": " + e.getMessage() + ")");
        }
    }

    private static void rotateLog(Path logFile) throws IOException {
        if (Files.isRegularFile(logFile) && Files.size(logFile) > LOG_ROTATE_BYTES) {
            Files.move(logFile, logFile.resolveSibling(logFile.getFileName() + ".1"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 1 -> " (SIGHUP)";
            case 2 -> " (SIGINT)";
            case 6 -> " (SIGABRT)";
            case 9 -> " (SIGKILL)";
            case 11 -> " (SIGSEGV)";
            case 15 -> " (SIGTERM)";
            default -> "";
        };
    }

    /** The step of {@link #terminate} that ended the process. */
    enum Termination {
        ALREADY_EXITED,
        GRACEFUL,
        SIGTERM,
        SIGKILL,
        STILL_ALIVE
    }
}
