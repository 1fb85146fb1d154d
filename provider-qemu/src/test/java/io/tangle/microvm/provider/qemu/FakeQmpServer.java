package io.tangle.microvm.provider.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A QMP server for client tests: listens on a Unix socket with a chosen backlog, accepts after an
 * optional delay, and runs a script against each connection on its own thread.
 */
final class FakeQmpServer implements AutoCloseable {

    static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
            + "\"package\": \"\"}, \"capabilities\": [\"oob\"]}}";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServerSocketChannel server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    FakeQmpServer(Path socket, int backlog) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket), backlog);
    }

    /** Accepts one connection after {@code delay} and runs {@code script} on it. */
    FakeQmpServer serve(Duration delay, Script script) {
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(delay.toMillis());
                try (SocketChannel channel = server.accept()) {
                    accepted.incrementAndGet();
                    script.run(new Connection(channel));
                }
                finished.complete(null);
            } catch (Exception e) {
                finished.completeExceptionally(e);
            }
        });
        return this;
    }

    int acceptedConnections() {
        return accepted.get();
    }

    /** Completes when the script returned; exceptionally when it threw. */
    CompletableFuture<Void> finished() {
        return finished;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    @FunctionalInterface
    interface Script {
        void run(Connection connection) throws Exception;
    }

    /** One accepted client connection. */
    static final class Connection {

        private final SocketChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).flip();

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        /** Sends one message followed by CRLF, as QEMU does. */
        void send(String json) throws IOException {
            sendRaw(json + "\r\n");
        }

        void sendRaw(String text) throws IOException {
            ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
        }

        /** Reads the next command; null at end of stream. */
        JsonNode readCommand() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                if (!buffer.hasRemaining()) {
                    buffer.clear();
                    int read = channel.read(buffer);
                    buffer.flip();
                    if (read < 0) {
                        return null;
                    }
                    continue;
                }
                byte b = buffer.get();
                if (b == '\n') {
                    return JSON.readTree(line.toByteArray());
                }
                line.write(b);
            }
        }

        /** Sends the greeting and replies to {@code qmp_capabilities}. */
        void handshake() throws IOException {
            send(GREETING);
            JsonNode command = readCommand();
            reply(command, "{}");
        }

        /** Sends {@code {"return": returnJson, "id": <the command's id>}}. */
        void reply(JsonNode command, String returnJson) throws IOException {
            send("{\"return\": " + returnJson + ", \"id\": " + command.get("id") + "}");
        }

        void event(String name, String dataJson) throws IOException {
            send("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"" + name + "\", \"data\": "
                    + dataJson + "}");
        }

        void close() throws IOException {
            channel.close();
        }
    }
}
