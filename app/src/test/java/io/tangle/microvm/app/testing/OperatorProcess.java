package io.tangle.microvm.app.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The {@code run} command in a child JVM on the test classpath, with exactly the given environment,
 * so a test can kill it with SIGKILL or SIGTERM as a supervisor would. Its standard output and
 * error are appended to one log file.
 */
public final class OperatorProcess implements AutoCloseable {

    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path logFile;

    private OperatorProcess(Process process, Path logFile) {
        this.process = process;
        this.logFile = logFile;
    }

    /** Starts {@code microvm-blueprint run} with {@code environment} as its whole environment. */
    public static OperatorProcess start(Map<String, String> environment, Path logFile) throws IOException {
        Objects.requireNonNull(environment, "environment");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "io.tangle.microvm.app.Main", "run"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(environment);
        return new OperatorProcess(builder.start(), logFile);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGKILL and waits for the process to end; returns its exit code (137). */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        return awaitExit(KILL_TIMEOUT);
    }

    /** Sends SIGTERM and returns at once. */
    public void terminate() {
        process.destroy();
    }

    /**
     * Waits for the process to end and returns its exit code.
     *
     * @throws AssertionError with the end of the log when it is still running after {@code timeout}
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("operator process " + process.pid() + " still running after "
                    + timeout.toMillis() + " ms; end of " + logFile + ":\n" + logTail(40));
        }
        return process.exitValue();
    }

    /** Returns everything the process has written so far. */
    public String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read operator log " + logFile, e);
        }
    }

    /** Returns the last {@code lines} lines of the log, for failure messages. */
    public String logTail(int lines) {
        List<String> all = log().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    /** Returns a port that was free on 127.0.0.1 a moment ago, to give the query API a fixed port across restarts. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
