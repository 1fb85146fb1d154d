package io.tangle.microvm.provider.qemu;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One QEMU process of a VM, spawned by this provider or adopted after an operator restart, with
 * its QMP client and console connection.
 *
 * <p>For an adopted process the exit status is unknown, and the JDK notices its exit by polling
 * (first after 300 ms, then less often), because the process is not a child of this JVM.
 */
final class QemuProcess {

    private static final Logger log = LoggerFactory.getLogger(QemuProcess.class);

    private final String vmId;
    private final ProcessHandle handle;
    private final Process child;
    private final Instant startedAt;
    private final VmPaths.LaunchSockets sockets;
    private final MachineSpec machine;
    private final Path qemuLog;
    private final int slot;

    private volatile QmpClient qmp;
    private volatile ConsoleConnection console;
    private volatile String shutdownReason;
    private volatile boolean exitExpected;

    private QemuProcess(String vmId, ProcessHandle handle, Process child, Instant startedAt,
            VmPaths.LaunchSockets sockets, MachineSpec machine, Path qemuLog, int slot) {
        this.vmId = vmId;
        this.handle = handle;
        this.child = child;
        this.startedAt = startedAt;
        this.sockets = sockets;
        this.machine = machine;
        this.qemuLog = qemuLog;
        this.slot = slot;
    }

    /** Starts QEMU with {@code args}; its stdout and stderr go to {@code qemuLog}, replacing the previous launch's. */
    static QemuProcess spawn(String vmId, List<String> args, Path workDir, Path qemuLog,
            VmPaths.LaunchSockets sockets, MachineSpec machine, int slot) throws IOException {
        Process process = new ProcessBuilder(args)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(qemuLog.toFile()))
                .start();
        ProcessHandle handle = process.toHandle();
        Instant startedAt = handle.info().startInstant().orElse(Instant.now());
        return new QemuProcess(vmId, handle, process, startedAt, sockets, machine, qemuLog, slot);
    }

    /** Wraps a live process that an earlier provider instance started. */
    static QemuProcess adopt(String vmId, ProcessHandle handle, Instant startedAt, VmPaths.LaunchSockets sockets,
            MachineSpec machine, Path qemuLog, int slot) {
        return new QemuProcess(vmId, handle, null, startedAt, sockets, machine, qemuLog, slot);
    }

    long pid() {
        return handle.pid();
    }

    Instant startedAt() {
        return startedAt;
    }

    VmPaths.LaunchSockets sockets() {
        return sockets;
    }

    MachineSpec machine() {
        return machine;
    }

    int slot() {
        return slot;
    }

    boolean isAlive() {
        return handle.isAlive();
    }

    boolean isAdopted() {
        return child == null;
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

    /** Connects QMP, records {@code SHUTDOWN} reasons and turns on migration events. */
    void connectQmp(Instant deadline, Duration commandTimeout) throws QmpException, InterruptedException {
        QmpClient client = QmpClient.connect(vmId, sockets.qmp(), deadline, commandTimeout, this::isAlive, event -> {
            if ("SHUTDOWN".equals(event.name())) {
                shutdownReason = event.dataText("reason");
            }
        });
        try {
            client.execute("migrate-set-capabilities", QmpCommands.migrationEventsOn());
        } catch (QmpException | InterruptedException e) {
            client.close();
            throw e;
        }
        this.qmp = client;
    }

    /**
     * Returns the QMP client, reconnecting first when the connection is closed (for example after
     * an adoption whose handshake timed out).
     */
    QmpClient qmp(Duration timeout) throws QmpException, InterruptedException {
        QmpClient current = qmp;
        if (current != null && current.isOpen()) {
            return current;
        }
        if (current != null) {
            current.close();
        }
        log.info("vm '{}' (pid {}): reconnecting to QMP at {}", vmId, pid(), sockets.qmp());
        connectQmp(Instant.now().plus(timeout), timeout);
        return qmp;
    }

    /** Returns the QMP client when connected; used where a reconnect must not be tried. */
    Optional<QmpClient> connectedQmp() {
        QmpClient current = qmp;
        return current != null && current.isOpen() ? Optional.of(current) : Optional.empty();
    }

    void attachConsole(Instant deadline, ConsoleLog consoleLog) throws IOException, InterruptedException {
        this.console = ConsoleConnection.open(vmId, sockets.console(), deadline, this::isAlive, consoleLog);
    }

    /** Closes the QMP and console connections; the process keeps running. */
    void closeConnections() {
        QmpClient client = qmp;
        if (client != null) {
            client.close();
        }
        ConsoleConnection connection = console;
        if (connection != null) {
            connection.close();
        }
    }

    /**
     * Ends the process: QMP {@code quit}, then SIGTERM, then SIGKILL, waiting up to
     * {@code stopTimeout} after each. The quit is skipped when QMP is not connected, and its reply
     * wait is bounded by {@code qmpTimeout}.
     */
    Termination terminate(Duration qmpTimeout, Duration stopTimeout) throws InterruptedException {
        expectExit();
        if (!isAlive()) {
            closeConnections();
            return Termination.ALREADY_EXITED;
        }

        Optional<QmpClient> client = connectedQmp();
        if (client.isPresent()) {
            try {
                client.get().execute("quit", null, qmpTimeout);
            } catch (QmpException e) {
                // A closed connection is the normal reply to quit; a timeout means QEMU hangs.
                log.debug("vm '{}' (pid {}): quit returned {}", vmId, pid(), e.getMessage());
            }
            if (awaitExit(stopTimeout)) {
                closeConnections();
                return Termination.QUIT;
            }
            log.warn("vm '{}' (pid {}): QEMU did not exit within {} ms of quit; sending SIGTERM", vmId, pid(),
                    stopTimeout.toMillis());
        }

        handle.destroy();
        if (awaitExit(stopTimeout)) {
            closeConnections();
            return Termination.SIGTERM;
        }

        log.warn("vm '{}' (pid {}): QEMU did not exit within {} ms of SIGTERM; sending SIGKILL", vmId, pid(),
                stopTimeout.toMillis());
        handle.destroyForcibly();
        boolean exited = awaitExit(stopTimeout);
        closeConnections();
        return exited ? Termination.SIGKILL : Termination.STILL_ALIVE;
    }

    /** Sends SIGKILL at once and waits up to {@code wait}; for launches that failed. */
    boolean kill(Duration wait) throws InterruptedException {
        expectExit();
        handle.destroyForcibly();
        boolean exited = awaitExit(wait);
        closeConnections();
        return exited;
    }

    /**
     * Waits up to {@code timeout} for the process to exit. For a spawned process, it returns true
     * at once only when the JDK has collected the exit status: {@link #isAlive} can turn false
     * before that, and {@link #exitDescription} needs the status.
     */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        boolean alreadyExited = child != null ? !child.isAlive() : !handle.isAlive();
        if (alreadyExited) {
            return true;
        }
        try {
            exitFuture().get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !isAlive();
        } catch (ExecutionException e) {
            return !isAlive();
        }
    }

    /**
     * Describes how the process ended: the exit status or signal when known, the reason of QEMU's
     * {@code SHUTDOWN} event when one arrived, and the last line QEMU printed.
     */
    String exitDescription() {
        StringBuilder text = new StringBuilder("QEMU process ").append(pid());
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
        String reason = shutdownReason;
        if (reason != null && !reason.isEmpty()) {
            text.append(", shutdown reason ").append(reason);
        }
        List<String> stderr = lastLogLines(1);
        if (!stderr.isEmpty()) {
            text.append(", last output: ").append(stderr.get(0));
        }
        return text.toString();
    }

    /** Returns the last {@code count} lines QEMU wrote to its stdout and stderr in this launch. */
    List<String> lastLogLines(int count) {
        return tailLines(qemuLog, count);
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
        QUIT,
        SIGTERM,
        SIGKILL,
        STILL_ALIVE
    }
}
