package io.tangle.microvm.chain.local;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * A local Anvil chain in a child process, listening on 127.0.0.1 only, with chain id 31337, zero
 * base fee and gas price, and Anvil's default well-known dev accounts.
 *
 * <p>{@link #start(Options)} returns once the node responds to {@code eth_chainId}. {@link #close()}
 * stops it with SIGTERM, and kills it if it has not exited within 5 s.
 */
public final class AnvilProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AnvilProcess.class);

    public static final long CHAIN_ID = 31337;

    private static final Duration PROBE_INTERVAL = Duration.ofMillis(50);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final int PORT_ATTEMPTS = 3;

    /**
     * How to start Anvil.
     *
     * @param anvilBinary the Anvil executable, or null to use the one under the project's {@code .tools}
     * @param port the port to listen on, or 0 to pick a free one
     * @param logFile where Anvil's output goes (appended), or null for a new temporary file
     * @param startTimeout how long to wait for the node to respond
     * @param extraArguments further command line arguments, such as {@code --block-time 1}
     */
    public record Options(Path anvilBinary, int port, Path logFile, Duration startTimeout, List<String> extraArguments) {

        public Options {
            Objects.requireNonNull(startTimeout, "startTimeout");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
            }
            extraArguments = List.copyOf(extraArguments);
        }

        /** Returns options for the project's Anvil on a free port, with a temporary log file and a 15 s start timeout. */
        public static Options defaults() {
            return new Options(null, 0, null, Duration.ofSeconds(15), List.of());
        }

        public Options withPort(int newPort) {
            return new Options(anvilBinary, newPort, logFile, startTimeout, extraArguments);
        }

        public Options withLogFile(Path file) {
            return new Options(anvilBinary, port, file, startTimeout, extraArguments);
        }

        public Options withExtraArguments(List<String> arguments) {
            return new Options(anvilBinary, port, logFile, startTimeout, arguments);
        }
    }

    private final Process process;
    private final int port;
    private final Path logFile;
    private final long logStart;
    private HttpService service;
    private Web3j web3j;

    private AnvilProcess(Process process, int port, Path logFile, long logStart) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
        this.logStart = logStart;
    }

    /** Starts Anvil with {@link Options#defaults()}. */
    public static AnvilProcess start() throws IOException, InterruptedException {
        return start(Options.defaults());
    }

    /**
     * Starts Anvil and waits until it responds to JSON-RPC.
     *
     * @throws IllegalStateException if Anvil is not installed
     * @throws IOException if Anvil exits during startup or does not respond within the start
     *         timeout; the message includes the end of its log
     */
    public static AnvilProcess start(Options options) throws IOException, InterruptedException {
        Path binary = options.anvilBinary() != null ? options.anvilBinary() : LocalTools.anvilBinary(LocalTools.projectRoot());
        Path logFile = options.logFile() != null ? options.logFile() : Files.createTempFile("anvil-", ".log");

        // A free port found here can be taken before Anvil binds it, so a chosen port is retried.
        int attempts = options.port() == 0 ? PORT_ATTEMPTS : 1;
        IOException failure = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            int port = options.port() != 0 ? options.port() : freePort();
            try {
                return launch(binary, port, logFile, options);
            } catch (IOException e) {
                failure = e;
                log.warn("Anvil did not start on port {} (attempt {}/{}): {}", port, attempt, attempts, e.getMessage());
            }
        }
        throw failure;
    }

    /** Returns the process id of the Anvil process. */
    public long pid() {
        return process.pid();
    }

    /** Returns the JSON-RPC endpoint, {@code http://127.0.0.1:<port>}. */
    public String rpcUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Returns a web3j client for this node, created on first use and shut down by {@link #close()}. */
    public synchronized Web3j web3j() {
        if (web3j == null) {
            web3j = Web3j.build(httpService());
        }
        return web3j;
    }

    /** Returns Anvil's test methods (mining, snapshots) for this node. */
    public synchronized AnvilControl control() {
        return new AnvilControl(httpService());
    }

    private synchronized HttpService httpService() {
        if (service == null) {
            service = new HttpService(rpcUrl());
        }
        return service;
    }

    /** Stops Anvil: SIGTERM, up to 5 s to exit, then a kill. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (web3j != null) {
                web3j.shutdown();
            } else if (service != null) {
                closeQuietly(service);
            }
            web3j = null;
            service = null;
        }
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Anvil (pid {}) did not exit within {} ms of SIGTERM; killing it", process.pid(), STOP_TIMEOUT.toMillis());
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        log.info("Anvil on port {} stopped", port);
    }

    private static AnvilProcess launch(Path binary, int port, Path logFile, Options options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "--host", "127.0.0.1",
                "--port", Integer.toString(port),
                "--chain-id", Long.toString(CHAIN_ID),
                "--base-fee", "0",
                "--gas-price", "0"));
        command.addAll(options.extraArguments());

        long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        AnvilProcess anvil = new AnvilProcess(process, port, logFile, logStart);
        try {
            anvil.awaitReady(options.startTimeout());
        } catch (IOException | InterruptedException | RuntimeException e) {
            anvil.close();
            throw e;
        }
        log.info("Anvil started on {} (pid {}, log {})", anvil.rpcUrl(), process.pid(), logFile);
        return anvil;
    }

    /**
     * Waits until this process has logged that it listens and the port answers {@code eth_chainId}.
     * Both are needed: the log line alone does not show that the server accepts requests, and an
     * answer alone may come from another process that already holds the port.
     */
    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build()) {
            awaitReady(client, timeout);
        }
    }

    private void awaitReady(HttpClient client, Duration timeout) throws IOException, InterruptedException {
        HttpRequest probe = HttpRequest.newBuilder(URI.create(rpcUrl()))
                .timeout(PROBE_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}"))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("Anvil exited with code " + process.exitValue() + " during startup; end of " + logFile + ":\n" + logTail());
            }
            if (hasLoggedListening()) {
                try {
                    HttpResponse<String> response = client.send(probe, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200 && response.body().contains("\"result\"")) {
                        return;
                    }
                } catch (IOException e) {
                    // Not accepting requests yet.
                }
            }
            if (System.nanoTime() >= deadline) {
                throw new IOException("Anvil did not respond on " + rpcUrl() + " within " + timeout.toMillis() + " ms; end of "
                        + logFile + ":\n" + logTail());
            }
            Thread.sleep(PROBE_INTERVAL);
        }
    }

    /** Checks whether this process's part of the log has Anvil's "Listening on 127.0.0.1:<port>" line. */
    private boolean hasLoggedListening() throws IOException {
        String output;
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long length = file.length() - logStart;
            if (length <= 0) {
                return false;
            }
            byte[] bytes = new byte[(int) Math.min(length, 1 << 20)];
            file.seek(logStart);
            file.readFully(bytes);
            output = new String(bytes, StandardCharsets.UTF_8);
        }
        return output.contains("Listening on 127.0.0.1:" + port);
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static void closeQuietly(HttpService httpService) {
        try {
            httpService.close();
        } catch (IOException e) {
            log.debug("Closing the HTTP client of Anvil failed: {}", e.getMessage());
        }
    }

    /** Returns a port that was free on 127.0.0.1 a moment ago. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
