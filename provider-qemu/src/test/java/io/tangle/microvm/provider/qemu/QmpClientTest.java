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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QmpClientTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private Path socket() {
        return dir.resolve("qmp.sock");
    }

    private QmpClient connect(Duration deadline) throws Exception {
        return QmpClient.connect("test", socket(), Instant.now().plus(deadline), COMMAND_TIMEOUT, () -> true, null);
    }

    @Test
    void handshakeWaitsForSlowAccept() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(socket(), 1)) {
            server.serve(Duration.ofMillis(1500), connection -> {
                connection.handshake();
                connection.readCommand();
            });

            Instant start = Instant.now();
            try (QmpClient client = connect(Duration.ofSeconds(5))) {
                assertThat(client.isOpen()).isTrue();
            }

            assertThat(Duration.between(start, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(1400));
            server.finished().get(5, TimeUnit.SECONDS);
            assertThat(server.acceptedConnections()).isEqualTo(1);
        }
    }

    @Test
    void eventBeforeReplyIsNotTakenForReply() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        try (FakeQmpServer server = new FakeQmpServer(socket(), 1)) {
            server.serve(Duration.ZERO, connection -> {
                connection.send(FakeQmpServer.GREETING);
                JsonNode capabilities = connection.readCommand();
                connection.event("RESUME", "{}");
                connection.reply(capabilities, "{}");
                JsonNode status = connection.readCommand();
                connection.event("STOP", "{}");
                connection.reply(status, "{\"status\": \"paused\", \"running\": false}");
                connection.readCommand();
            });

            try (QmpClient client = QmpClient.connect("test", socket(), Instant.now().plus(Duration.ofSeconds(5)),
                    COMMAND_TIMEOUT, () -> true, event -> events.add(event.name()))) {
                JsonNode status = client.execute("query-status");

                assertThat(QmpCommands.runState(status)).isEqualTo("paused");
                assertThat(events).containsExactly("RESUME", "STOP");
            }
        }
    }

    @Test
    void thousandCommandsWithEventsStayMatched() throws Exception {
        int commands = 1000;
        Random random = new Random(42);
        List<Integer> eventAfterCommand = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            eventAfterCommand.add(random.nextInt(commands));
        }
        List<Long> received = Collections.synchronizedList(new ArrayList<>());

        try (FakeQmpServer server = new FakeQmpServer(socket(), 1)) {
            server.serve(Duration.ZERO, connection -> {
                connection.handshake();
                long sequence = 0;
                for (int i = 0; i < commands; i++) {
                    JsonNode command = connection.readCommand();
                    int events = Collections.frequency(eventAfterCommand, i);
                    for (int e = 0; e < events; e++) {
                        connection.event("SEQUENCE", "{\"n\": " + sequence++ + "}");
                    }
                    connection.reply(command, "{\"echo\": \"" + command.get("execute").asText() + "\"}");
                }
                connection.readCommand();
            });

            try (QmpClient client = QmpClient.connect("test", socket(), Instant.now().plus(Duration.ofSeconds(5)),
                    COMMAND_TIMEOUT, () -> true, event -> received.add(event.data().get("n").asLong()))) {
                int mismatched = 0;
                for (int i = 0; i < commands; i++) {
                    JsonNode reply = client.execute("command-" + i);
                    if (!reply.path("echo").asText().equals("command-" + i)) {
                        mismatched++;
                    }
                }

                assertThat(mismatched).isZero();
                assertThat(received).hasSize(100);
                assertThat(received).isSorted();
            }
        }
    }

    @Test
    void errorWithoutIdFailsOnlyThatCommand() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(socket(), 1)) {
            server.serve(Duration.ZERO, connection -> {
                connection.handshake();
                connection.readCommand();
                connection.send("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, invalid keyword\"}}");
                JsonNode second = connection.readCommand();
                connection.reply(second, "{\"status\": \"running\"}");
                connection.readCommand();
            });

            try (QmpClient client = connect(Duration.ofSeconds(5))) {
                assertThatThrownBy(() -> client.execute("broken"))
                        .isInstanceOf(QmpException.ErrorReply.class)
                        .hasMessageContaining("JSON parse error");
                assertThat(QmpCommands.runState(client.execute("query-status"))).isEqualTo("running");
            }
        }
    }

    @Test
    void errorReplyNamesCommandClassAndDescription() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(socket(), 1)) {
            server.serve(Duration.ZERO, connection -> {
                connection.handshake();
                JsonNode command = connection.readCommand();
                connection.send("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command nope has not "
                        + "been found\"}, \"id\": " + command.get("id") + "}");
                connection.readCommand();
            });

            try (QmpClient client = connect(Duration.ofSeconds(5))) {
                assertThatThrownBy(() -> client.execute("nope"))
                        .isInstanceOfSatisfying(QmpException.ErrorReply.class, error -> {
                            assertThat(error.command()).isEqualTo("nope");
                            assertThat(error.errorClass()).isEqualTo("CommandNotFound");
                            assertThat(error.description()).contains("has not been found");
                        });
            }
        }
    }

    @Test
    void closeHalfwayThroughReplyFailsPendingCommandFast() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(socket(), 1)) {
            server.serve(Duration.ZERO, connection -> {
                connection.handshake();
                connection.readCommand();
                connection.sendRaw("{\"return\": {\"stat");
                connection.close();
            });

            try (QmpClient client = connect(Duration.ofSeconds(5))) {
                Instant start = Instant.now();

                assertThatThrownBy(() -> client.execute("query-status"))
                        .isInstanceOf(QmpException.Disconnected.class);
                assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(1));
                assertThat(client.isOpen()).isFalse();
            }
        }
    }

    @Test
    void lateReplyIsDroppedAfterTimeout() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(socket(), 1)) {
            server.serve(Duration.ZERO, connection -> {
                connection.handshake();
                JsonNode ignored = connection.readCommand();
                JsonNode next = connection.readCommand();
                connection.reply(ignored, "{\"status\": \"late\"}");
                connection.reply(next, "{\"status\": \"running\"}");
                connection.readCommand();
            });

            try (QmpClient client = connect(Duration.ofSeconds(5))) {
                Instant start = Instant.now();
                assertThatThrownBy(() -> client.execute("query-status", null, Duration.ofMillis(300)))
                        .isInstanceOf(QmpException.Timeout.class)
                        .hasMessageContaining("300 ms");
                assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(2));

                assertThat(QmpCommands.runState(client.execute("query-status"))).isEqualTo("running");
            }
        }
    }

    @Test
    void missingGreetingTimesOut() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(socket(), 1)) {
            server.serve(Duration.ZERO, connection -> connection.readCommand());

            Instant start = Instant.now();
            assertThatThrownBy(() -> connect(Duration.ofMillis(500)))
                    .isInstanceOf(QmpException.Timeout.class)
                    .hasMessageContaining("greeting");
            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void connectStopsRetryingWhenToldTo() {
        Instant start = Instant.now();

        assertThatThrownBy(() -> QmpClient.connect("test", socket(), Instant.now().plus(Duration.ofSeconds(10)),
                COMMAND_TIMEOUT, () -> false, null))
                .isInstanceOf(QmpException.Disconnected.class)
                .hasMessageContaining(socket().toString());
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void subscriptionReceivesEventsAndClose() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(socket(), 1)) {
            server.serve(Duration.ZERO, connection -> {
                connection.handshake();
                JsonNode command = connection.readCommand();
                connection.reply(command, "{}");
                connection.event("MIGRATION", "{\"status\": \"completed\"}");
                connection.close();
            });

            try (QmpClient client = connect(Duration.ofSeconds(5));
                    QmpClient.EventSubscription events = client.subscribe()) {
                client.execute("migrate");

                QmpEvent event = events.poll(Duration.ofSeconds(5)).orElseThrow();
                assertThat(event.dataText("status")).isEqualTo("completed");
                assertThatThrownBy(() -> events.poll(Duration.ofSeconds(5)))
                        .isInstanceOf(QmpException.Disconnected.class);
            }
        }
    }
}
