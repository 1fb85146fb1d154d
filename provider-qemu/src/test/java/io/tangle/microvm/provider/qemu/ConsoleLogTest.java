package io.tangle.microvm.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleLogTest {

    @TempDir
    Path dir;

    private static void append(ConsoleLog log, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        log.append(bytes, 0, bytes.length);
    }

    @Test
    void linesReachListenersAcrossChunks() throws Exception {
        List<String> lines = new ArrayList<>();
        try (ConsoleLog log = new ConsoleLog("vm", dir.resolve("console.log"), 1024, 256)) {
            log.addLineListener(lines::add);

            append(log, "MICROVM-RE");
            append(log, "ADY\r\nMICROVM-HEARTBEAT 0\nparti");
        }

        assertThat(lines).containsExactly("MICROVM-READY", "MICROVM-HEARTBEAT 0");
    }

    @Test
    void tailKeepsLatestBytes() throws Exception {
        try (ConsoleLog log = new ConsoleLog("vm", dir.resolve("console.log"), 1024, 16)) {
            append(log, "0123456789");
            append(log, "abcdefghij");

            assertThat(log.tail(100)).isEqualTo("456789abcdefghij");
            assertThat(log.tail(3)).isEqualTo("hij");
        }
    }

    @Test
    void fileRotatesAtLimit() throws Exception {
        Path file = dir.resolve("console.log");
        try (ConsoleLog log = new ConsoleLog("vm", file, 100, 64)) {
            for (int i = 0; i < 50; i++) {
                append(log, "line " + i + "\n");
            }
        }

        assertThat(Files.size(file)).isLessThanOrEqualTo(100);
        assertThat(Files.size(dir.resolve("console.log.1"))).isLessThanOrEqualTo(100);
        assertThat(Files.readString(file)).endsWith("line 49\n");
    }

    @Test
    void reopenedLogSeedsTailFromFile() throws Exception {
        Path file = dir.resolve("console.log");
        try (ConsoleLog log = new ConsoleLog("vm", file, 1024, 64)) {
            append(log, "before restart\n");
        }

        try (ConsoleLog log = new ConsoleLog("vm", file, 1024, 64)) {
            append(log, "after\n");

            assertThat(log.tail(64)).isEqualTo("before restart\nafter\n");
            assertThat(log.lastLines(1)).containsExactly("after");
        }
    }
}
