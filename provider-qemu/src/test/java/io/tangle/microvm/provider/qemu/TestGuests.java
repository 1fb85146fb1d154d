package io.tangle.microvm.provider.qemu;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Shared helpers for tests that boot real guests: the guest image, configs and console checks. */
final class TestGuests {

    private static final Pattern HEARTBEAT = Pattern.compile(Pattern.quote(GuestImage.HEARTBEAT_PREFIX) + "(\\d+)");
    private static final Duration IMAGE_BUILD_TIMEOUT = Duration.ofMinutes(10);

    private static Path kernel;
    private static Path initrd;

    private TestGuests() {
    }

    /**
     * Builds the guest image once per test JVM with {@code scripts/build-guest-image.sh} (cached
     * across runs in the script's default directory) and returns a TCG config over
     * {@code stateDir} with short timeouts.
     */
    static QemuConfig config(Path stateDir) {
        ensureImage();
        Map<String, String> env = new HashMap<>();
        env.put(QemuConfig.KERNEL, kernel.toString());
        env.put(QemuConfig.INITRD, initrd.toString());
        env.put(QemuConfig.ACCEL, "tcg");
        env.put(QemuConfig.MEM_MIB, "128");
        env.put(QemuConfig.BOOT_TIMEOUT_MS, "60000");
        env.put(QemuConfig.QMP_TIMEOUT_MS, "5000");
        env.put(QemuConfig.SNAPSHOT_TIMEOUT_MS, "60000");
        env.put(QemuConfig.STOP_TIMEOUT_MS, "3000");
        return QemuConfig.fromEnvironment(env, stateDir);
    }

    static synchronized void ensureImage() {
        if (kernel != null) {
            return;
        }
        Path root = Path.of(System.getProperty("microvm.root", "..")).toAbsolutePath().normalize();
        Path script = root.resolve("scripts/build-guest-image.sh");
        if (!Files.isExecutable(script)) {
            fail("cannot build the guest image: " + script + " is missing or not executable");
        }
        try {
            Process process = new ProcessBuilder(script.toString()).redirectErrorStream(true).start();
            String output;
            try (var input = process.getInputStream()) {
                output = new String(input.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(IMAGE_BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                fail("building the guest image with " + script + " timed out");
            }
            if (process.exitValue() != 0) {
                fail("building the guest image with " + script + " failed (exit " + process.exitValue()
                        + "); install qemu-system-x86, busybox-static and cpio and run it by hand:\n" + output);
            }
            kernel = Path.of(value(output, "kernel: "));
            initrd = Path.of(value(output, "initrd: "));
        } catch (IOException e) {
            fail("cannot run " + script + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while building the guest image");
        }
    }

    private static String value(String output, String prefix) {
        return output.lines().filter(line -> line.startsWith(prefix)).map(line -> line.substring(prefix.length()))
                .reduce((first, second) -> second)
                .orElseThrow(() -> new AssertionError("the image script printed no '" + prefix + "' line:\n" + output));
    }

    /** Returns the last heartbeat counter in the console tail, or empty when none was printed. */
    static OptionalLong lastHeartbeat(QemuVmProvider provider, String vmId) {
        String tail = provider.consoleTail(vmId, QemuVmProvider.CONSOLE_TAIL_BYTES).orElse("");
        Matcher matcher = HEARTBEAT.matcher(tail);
        OptionalLong last = OptionalLong.empty();
        while (matcher.find()) {
            last = OptionalLong.of(Long.parseLong(matcher.group(1)));
        }
        return last;
    }

    /** Returns every heartbeat counter printed after the last occurrence of {@code marker} in the tail. */
    static List<Long> heartbeatsAfter(String tail, String marker) {
        int start = marker == null ? 0 : Math.max(0, tail.lastIndexOf(marker));
        Matcher matcher = HEARTBEAT.matcher(tail.substring(start));
        List<Long> values = new java.util.ArrayList<>();
        while (matcher.find()) {
            values.add(Long.parseLong(matcher.group(1)));
        }
        return values;
    }

    /** Waits until {@code condition} holds, checking every 50 ms, and fails after {@code timeout}. */
    static void await(String description, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for " + description);
            }
            Thread.sleep(50);
        }
    }

    /** Returns the pids of QEMU processes whose QMP socket lies in the socket directory of {@code stateDir}. */
    static List<Long> qemuPids(Path stateDir) {
        return ProcessScanner.qemuProcessesOf(stateDir.toAbsolutePath().normalize()).stream()
                .map(ProcessScanner.QemuProcessInfo::pid)
                .toList();
    }

    /** Returns the socket files of {@code vmId} in the socket directory of {@code stateDir}. */
    static List<Path> socketFiles(Path stateDir, String vmId) throws IOException {
        Path socketDir = QemuSocketDir.pathFor(stateDir.toAbsolutePath().normalize());
        if (!Files.isDirectory(socketDir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(socketDir)) {
            return entries.filter(path -> path.getFileName().toString().startsWith(vmId + ".")).toList();
        }
    }

    /**
     * Sends SIGKILL to every QEMU process of {@code stateDir} and deletes its socket directory in
     * /tmp, which the @TempDir cleanup does not reach. This is the safety net of each test.
     */
    static void killAll(Path stateDir) throws InterruptedException {
        for (long pid : qemuPids(stateDir)) {
            ProcessHandle.of(pid).ifPresent(handle -> {
                handle.destroyForcibly();
                try {
                    handle.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // Reported by the assertion of the test that left it running.
                }
            });
        }
        FileTrees.deleteTree(QemuSocketDir.pathFor(stateDir.toAbsolutePath().normalize()));
    }

    /** Sends a signal such as STOP or CONT to {@code pid} with kill(1). */
    static void signal(long pid, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            fail("kill -" + signal + " " + pid + " failed");
        }
    }
}
