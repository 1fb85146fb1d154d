package io.tangle.microvm.provider.firecracker;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A test directory with everything the provider needs to run the fake Firecracker. It contains a
 * wrapper script as the Firecracker binary, dummy kernel and rootfs files, and a hooks file that
 * the wrapper sources at every launch. Every fake process appends to its request log.
 */
final class FakeFirecrackerSetup {

    private static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    final Path stateDir;
    final Path binary;
    final Path kernel;
    final Path rootfs;
    final Path hooksFile;
    final Path requestLog;

    private FakeFirecrackerSetup(Path root) {
        this.root = root;
        this.stateDir = root.resolve("state");
        this.binary = root.resolve("firecracker");
        this.kernel = root.resolve("vmlinux");
        this.rootfs = root.resolve("rootfs.ext4");
        this.hooksFile = root.resolve("hooks.env");
        this.requestLog = root.resolve("requests.jsonl");
    }

    /** Writes the wrapper script, kernel, rootfs and an empty hooks file into {@code root}. */
    static FakeFirecrackerSetup create(Path root) throws IOException {
        FakeFirecrackerSetup setup = new FakeFirecrackerSetup(root.toAbsolutePath().normalize());
        Files.write(setup.kernel, new byte[4096]);
        Files.write(setup.rootfs, "rootfs image of the tests\n".getBytes(StandardCharsets.UTF_8));
        Files.writeString(setup.hooksFile, "");
        Files.writeString(setup.binary, setup.wrapperScript());
        Files.setPosixFilePermissions(setup.binary, PosixFilePermissions.fromString("rwx------"));
        return setup;
    }

    /**
     * Returns a config with the fake as binary, a read-only rootfs and timeouts that allow for a
     * loaded test machine. {@code overrides} are further {@code MICROVM_FIRECRACKER_*} settings.
     */
    FirecrackerConfig config(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put(FirecrackerConfig.BIN, binary.toString());
        env.put(FirecrackerConfig.KERNEL, kernel.toString());
        env.put(FirecrackerConfig.ROOTFS, rootfs.toString());
        env.put(FirecrackerConfig.VCPU_COUNT, "1");
        env.put(FirecrackerConfig.MEM_MIB, "128");
        env.put(FirecrackerConfig.API_TIMEOUT_MS, "3000");
        env.put(FirecrackerConfig.SOCKET_READY_TIMEOUT_MS, "20000");
        env.put(FirecrackerConfig.SNAPSHOT_TIMEOUT_MS, "10000");
        env.put(FirecrackerConfig.STOP_TIMEOUT_MS, "2000");
        env.putAll(overrides);
        return FirecrackerConfig.fromEnvironment(env, stateDir);
    }

    FirecrackerConfig config() {
        return config(Map.of());
    }

    /** Replaces the fault hooks of the next launches, such as {@code hooks(FakeFaults.FAIL, "drive")}. */
    void hooks(String... namesAndValues) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            text.append("export ").append(namesAndValues[i]).append("='").append(namesAndValues[i + 1]).append("'\n");
        }
        Files.writeString(hooksFile, text.toString());
    }

    /** Returns every request the fake processes logged, in order. */
    List<LoggedRequest> requests() {
        if (!Files.exists(requestLog)) {
            return List.of();
        }
        try {
            List<LoggedRequest> requests = new ArrayList<>();
            for (String line : Files.readAllLines(requestLog, StandardCharsets.UTF_8)) {
                requests.add(LoggedRequest.parse(JSON.readTree(line)));
            }
            return requests;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + requestLog, e);
        }
    }

    /** Returns the requests that broke the API definition. */
    List<LoggedRequest> invalidRequests() {
        return requests().stream().filter(request -> !request.valid()).toList();
    }

    /** Returns the calls one process received, such as {@code PUT /actions {"action_type":"InstanceStart"}}. */
    List<String> calls(long pid) {
        return requests().stream().filter(request -> request.pid() == pid).map(LoggedRequest::call).toList();
    }

    /** Returns the pids of live processes with an API socket in the socket directory of {@code config}. */
    static List<Long> livePids(FirecrackerConfig config) {
        return ProcessScanner.processesIn(config.socketDir()).stream()
                .map(ProcessScanner.FirecrackerProcessInfo::pid)
                .toList();
    }

    /** Returns the socket files in the socket directory of {@code config}. */
    static List<Path> socketFiles(FirecrackerConfig config) throws IOException {
        if (!Files.isDirectory(config.socketDir())) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(config.socketDir())) {
            return entries.filter(path -> path.toString().endsWith(FirecrackerSocketDir.SOCKET_SUFFIX)).toList();
        }
    }

    /**
     * Sends SIGKILL to every process with a socket in the socket directory of {@code config} and
     * deletes that directory, which the @TempDir cleanup does not reach. The safety net of each test.
     */
    static void killAll(FirecrackerConfig config) {
        for (long pid : livePids(config)) {
            ProcessHandle.of(pid).ifPresent(handle -> {
                handle.destroyForcibly();
                try {
                    handle.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // Reported by the assertions of the test that left it running.
                }
            });
        }
        FileTrees.deleteTree(config.socketDir());
    }

    /** Waits until {@code condition} holds, checking every 20 ms, and fails after {@code timeout}. */
    static void await(String description, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for " + description);
            }
            Thread.sleep(20);
        }
    }

    private String wrapperScript() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return "#!/bin/sh\n"
                + "# Stand-in for the Firecracker binary: runs FakeFirecracker with the hooks of the hooks file.\n"
                + "export " + FakeFaults.LOG + "='" + requestLog + "'\n"
                + "if [ -f '" + hooksFile + "' ]; then . '" + hooksFile + "'; fi\n"
                + "if [ -n \"$" + FakeFaults.IGNORE_SIGTERM + "\" ]; then trap '' TERM; fi\n"
                // C1 only and the serial collector: the fake lives for seconds, so start-up time counts most.
                + "exec '" + java + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '" + classpath + "' "
                + FakeFirecracker.class.getName() + " \"$@\"\n";
    }

    /** One line of the request log. */
    record LoggedRequest(long pid, String socket, String method, String path, String body, boolean valid, int status,
            List<String> errors) {

        static LoggedRequest parse(JsonNode node) {
            List<String> errors = new ArrayList<>();
            node.path("errors").forEach(error -> errors.add(error.asText()));
            return new LoggedRequest(node.path("pid").asLong(), node.path("socket").asText(),
                    node.path("method").asText(), node.path("path").asText(),
                    node.hasNonNull("body") ? node.get("body").asText() : null, node.path("valid").asBoolean(),
                    node.path("status").asInt(), errors);
        }

        /** Returns the method, path and compact body, such as {@code PATCH /vm {"state":"Paused"}}. */
        String call() {
            return method + " " + path + (body == null ? "" : " " + body);
        }
    }
}
