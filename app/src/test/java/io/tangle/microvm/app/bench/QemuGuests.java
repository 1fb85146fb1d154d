package io.tangle.microvm.app.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The guest image and the QEMU processes of the QEMU benchmark. */
final class QemuGuests {

    private static final Logger log = LoggerFactory.getLogger(QemuGuests.class);

    private static final Duration IMAGE_BUILD_TIMEOUT = Duration.ofMinutes(10);

    /** The kernel and initrd that {@code scripts/build-guest-image.sh} printed. */
    record Image(Path kernel, Path initrd) {
    }

    private QemuGuests() {
    }

    /** Runs {@code scripts/build-guest-image.sh}, which only checks its cache when the image is built, and returns its paths. */
    static Image image(Path projectRoot) throws IOException, InterruptedException {
        Path script = projectRoot.resolve("scripts/build-guest-image.sh");
        Process process = new ProcessBuilder(script.toString()).redirectErrorStream(true).start();
        String output;
        try (var input = process.getInputStream()) {
            output = new String(input.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(IMAGE_BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(script + " failed or timed out; its output:\n" + output);
        }
        return new Image(Path.of(value(output, "kernel: ")), Path.of(value(output, "initrd: ")));
    }

    /** Returns the argument list of a running process from {@code /proc/<pid>/cmdline}. */
    static List<String> commandLine(long pid) throws IOException {
        String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8);
        return List.of(raw.split("\0"));
    }

    /**
     * Kills every QEMU process that descends from this JVM: guests of the providers it started and
     * of the plain boot script. Operators leave their guests running when they close, so this is
     * the safety net after a failure.
     */
    static int killDescendants() {
        List<ProcessHandle> guests = ProcessHandle.current().descendants()
                .filter(process -> process.info().command().map(command -> command.contains("qemu-system")).orElse(false))
                .toList();
        for (ProcessHandle guest : guests) {
            log.warn("killing QEMU process {} left running by the benchmark", guest.pid());
            guest.destroyForcibly();
            guest.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(failure -> null).join();
        }
        return guests.size();
    }

    /** Returns the summed resident set size of the QEMU processes that descend from this JVM. */
    static long descendantRssBytes() {
        return ProcessHandle.current().descendants()
                .filter(process -> process.info().command().map(command -> command.contains("qemu-system")).orElse(false))
                .mapToLong(process -> Math.max(0, MemoryProbe.rssBytes(process.pid())))
                .sum();
    }

    private static String value(String output, String prefix) {
        return output.lines().filter(line -> line.startsWith(prefix)).map(line -> line.substring(prefix.length()))
                .reduce((first, second) -> second)
                .orElseThrow(() -> new IllegalStateException("the image script printed no '" + prefix + "' line:\n"
                        + output));
    }
}
