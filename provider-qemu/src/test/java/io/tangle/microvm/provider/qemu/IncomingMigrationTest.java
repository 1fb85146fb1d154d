package io.tangle.microvm.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncomingMigrationTest {

    @TempDir
    Path dir;

    /**
     * Serves a QEMU that loads its snapshot for {@code loadTime}: run state {@code inmigrate} and
     * migration status none, then active, until then. Afterwards it reports {@code finalState} and
     * {@code finalMigration}.
     */
    private FakeQmpServer serveLoadingQemu(Duration loadTime, String finalState, String finalMigration,
            List<String> commands) throws Exception {
        FakeQmpServer server = new FakeQmpServer(dir.resolve("qmp.sock"), 1);
        server.serve(Duration.ZERO, connection -> {
            connection.handshake();
            Instant loaded = Instant.now().plus(loadTime);
            int migrateQueries = 0;
            JsonNode command;
            while ((command = connection.readCommand()) != null) {
                String name = command.get("execute").asText();
                commands.add(name);
                boolean done = Instant.now().isAfter(loaded);
                if (name.equals("query-status")) {
                    connection.reply(command, "{\"status\": \"" + (done ? finalState : "inmigrate") + "\"}");
                } else if (name.equals("query-migrate")) {
                    migrateQueries++;
                    if (done) {
                        connection.reply(command, "{\"status\": \"" + finalMigration + "\"}");
                    } else if (migrateQueries <= 2) {
                        connection.reply(command, "{}");
                    } else {
                        connection.reply(command, "{\"status\": \"active\"}");
                    }
                } else {
                    connection.reply(command, "{}");
                }
            }
        });
        return server;
    }

    private QmpClient connect() throws Exception {
        return QmpClient.connect("test", dir.resolve("qmp.sock"), Instant.now().plus(Duration.ofSeconds(5)),
                Duration.ofSeconds(5), () -> true, null);
    }

    @Test
    void waitsUntilRunStateLeavesInmigrate() throws Exception {
        List<String> commands = Collections.synchronizedList(new ArrayList<>());
        try (FakeQmpServer server = serveLoadingQemu(Duration.ofSeconds(2), "paused", "completed", commands);
                QmpClient qmp = connect()) {
            Instant start = Instant.now();

            String state = IncomingMigration.awaitLoaded(qmp, Instant.now().plus(Duration.ofSeconds(10)),
                    Duration.ofSeconds(10));

            assertThat(state).isEqualTo("paused");
            assertThat(Duration.between(start, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
            assertThat(commands).doesNotContain("cont", "stop");
            assertThat(Collections.frequency(commands, "query-status")).isBetween(3, 10);
        }
    }

    @Test
    void failedIncomingMigrationIsReported() throws Exception {
        List<String> commands = Collections.synchronizedList(new ArrayList<>());
        try (FakeQmpServer server = serveLoadingQemu(Duration.ZERO, "paused", "failed", commands);
                QmpClient qmp = connect()) {
            assertThatThrownBy(() -> IncomingMigration.awaitLoaded(qmp, Instant.now().plus(Duration.ofSeconds(5)),
                    Duration.ofSeconds(5)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'failed'");
        }
    }

    @Test
    void loadThatNeverEndsTimesOut() throws Exception {
        List<String> commands = Collections.synchronizedList(new ArrayList<>());
        try (FakeQmpServer server = serveLoadingQemu(Duration.ofHours(1), "paused", "completed", commands);
                QmpClient qmp = connect()) {
            Instant start = Instant.now();

            assertThatThrownBy(() -> IncomingMigration.awaitLoaded(qmp, Instant.now().plus(Duration.ofMillis(700)),
                    Duration.ofMillis(700)))
                    .isInstanceOf(QmpException.Timeout.class)
                    .hasMessageContaining("inmigrate");
            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(3));
        }
    }
}
