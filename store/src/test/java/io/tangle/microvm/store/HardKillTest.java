package io.tangle.microvm.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@link CommitLoop} in a child JVM and kills it with SIGKILL while it commits. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HardKillTest {

    /** Calls the child must report before the kill; the kill then lands mid-stream. */
    static final int CALLS_BEFORE_KILL = 150;

    @TempDir
    Path dataDir;

    @TempDir
    Path logDir;

    Process child;

    @AfterEach
    void killChild() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void committedCallsSurviveKill() throws IOException, InterruptedException, SQLException {
        BufferedReader output = startChild();
        List<Long> committed = new ArrayList<>();
        readCommitted(output, committed, CALLS_BEFORE_KILL);
        assertThat(committed).as("call ids before the kill; the child's log: %s", childLog()).hasSize(CALLS_BEFORE_KILL);

        // SIGKILL through the handle: Process.destroyForcibly() would also close our end of the pipe.
        assertThat(child.toHandle().destroyForcibly()).as("SIGKILL sent").isTrue();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("child exited after SIGKILL").isTrue();
        // Lines the child wrote before it died are still in the pipe, and they count too.
        readCommitted(output, committed, Integer.MAX_VALUE);

        assertThat(committed).as("the child was killed before it finished").hasSizeLessThan(1_000_000);
        try (SqliteStore store = SqliteStore.open(dataDir, Fixtures.SERVICE)) {
            assertThat(committed).allSatisfy(
                    callId -> assertThat(store.find(callId)).as("outcome of call %d", callId).isPresent());
            assertThat(store.outcomeCount()).isGreaterThanOrEqualTo(committed.size());
            for (Map.Entry<String, Long> last : lastCallPerVm(committed).entrySet()) {
                assertThat(store.findVm(last.getKey())).as("VM %s", last.getKey()).hasValueSatisfying(
                        vm -> assertThat(vm.lastCallId()).isGreaterThanOrEqualTo(last.getValue()));
            }
        }
        assertThat(SqliteFiles.queryString(SqliteFiles.databaseOf(dataDir, Fixtures.SERVICE), "PRAGMA integrity_check"))
                .isEqualTo("ok");
    }

    @Test
    void secondProcessIsRejected() throws IOException {
        BufferedReader output = startChild();
        assertThat(output.readLine()).as("first line of the child; its log: %s", childLog()).isEqualTo("opened");

        assertThatThrownBy(() -> SqliteStore.open(dataDir, Fixtures.SERVICE))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("another operator process already uses")
                .hasMessageContaining("process id " + child.pid());
    }

    private BufferedReader startChild() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                CommitLoop.class.getName(), dataDir.toString(), "1000000");
        builder.redirectError(logDir.resolve("child.log").toFile());
        child = builder.start();
        return new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Reads {@code committed <id>} lines until {@code limit} ids are collected or the output ends. */
    private void readCommitted(BufferedReader output, List<Long> committed, int limit) throws IOException {
        String line;
        while (committed.size() < limit && (line = output.readLine()) != null) {
            if (line.startsWith("committed ")) {
                committed.add(Long.parseLong(line.substring("committed ".length())));
            }
        }
    }

    private static Map<String, Long> lastCallPerVm(List<Long> committed) {
        Map<String, Long> last = new HashMap<>();
        for (long callId : committed) {
            last.merge("vm-" + (callId % CommitLoop.VM_COUNT), callId, Math::max);
        }
        return last;
    }

    private String childLog() {
        try {
            return Files.readString(logDir.resolve("child.log"));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
