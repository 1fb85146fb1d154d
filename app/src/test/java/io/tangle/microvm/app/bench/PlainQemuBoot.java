package io.tangle.microvm.app.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The baseline of the QEMU boot benchmark: the provider's own QEMU command line, launched by
 * {@code scripts/bench.sh plain-boot}, which times it from launch to the guest's ready line.
 *
 * <p>The script has no QMP client and no socket client, so three arguments differ from the
 * provider's: the serial console goes to standard output ({@code -chardev stdio}) instead of a
 * socket, {@code -S} is dropped (nothing would resume the guest), and the QMP socket moves to a
 * path of the benchmark's own. Machine, accelerator, memory, kernel, initrd and kernel command
 * line are the same.
 */
final class PlainQemuBoot {

    private static final long SCRIPT_TIMEOUT_SECONDS = 180;

    private PlainQemuBoot() {
    }

    /**
     * Returns {@code providerArguments} with the three changes above.
     *
     * @throws IllegalStateException when an expected argument is missing, because the provider
     *         then builds its command differently and the comparison would no longer hold
     */
    static List<String> arguments(List<String> providerArguments, Path qmpSocket) {
        List<String> plain = new ArrayList<>();
        int changes = 0;
        for (int i = 0; i < providerArguments.size(); i++) {
            String argument = providerArguments.get(i);
            String next = i + 1 < providerArguments.size() ? providerArguments.get(i + 1) : "";
            if (argument.equals("-S")) {
                changes++;
            } else if (argument.equals("-chardev") && next.startsWith("socket,id=console,")) {
                plain.addAll(List.of("-chardev", "stdio,id=console"));
                changes++;
                i++;
            } else if (argument.equals("-qmp")) {
                plain.addAll(List.of("-qmp", "unix:" + qmpSocket + ",server=on,wait=off"));
                changes++;
                i++;
            } else if (argument.equals("-name")) {
                plain.addAll(List.of("-name", "plain-boot"));
                i++;
            } else {
                plain.add(argument);
            }
        }
        if (changes != 3) {
            throw new IllegalStateException("expected -S, a console socket chardev and -qmp in the provider's QEMU"
                    + " command, found " + changes + " of them: " + providerArguments);
        }
        return plain;
    }

    /** Runs {@code scripts/bench.sh plain-boot} with {@code arguments} and returns the milliseconds it reports. */
    static double bootMillis(Path projectRoot, List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(projectRoot.resolve("scripts/bench.sh").toString(), "plain-boot"));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (var input = process.getInputStream()) {
            output = new String(input.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("scripts/bench.sh plain-boot failed or timed out; its output:\n" + output);
        }
        String line = output.lines().filter(text -> text.startsWith("ready_ms=")).reduce((first, second) -> second)
                .orElseThrow(() -> new IllegalStateException("scripts/bench.sh plain-boot printed no ready_ms line:\n"
                        + output));
        return Double.parseDouble(line.substring("ready_ms=".length()));
    }
}
