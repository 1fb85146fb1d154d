package io.tangle.microvm.provider.firecracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP/1.1 client against a scripted Unix socket server in the test JVM. */
class FirecrackerApiClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ApiCall PAUSE = FirecrackerRequests.pause();

    @TempDir
    Path dir;

    private ServerSocketChannel server;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void closeServer() throws IOException {
        release.countDown();
        if (server != null) {
            server.close();
        }
    }

    /**
     * Starts a server that accepts one connection, reads one request and sends {@code reply}.
     * With {@code keepOpen} it then keeps the connection open until the test ends. Completes with the
     * request text.
     */
    private CompletableFuture<String> serve(String reply, boolean keepOpen) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("api.sock")));
        CompletableFuture<String> request = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (SocketChannel client = server.accept()) {
                request.complete(readRequest(Channels.newInputStream(client)));
                if (reply != null) {
                    client.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
                }
                if (keepOpen || reply == null) {
                    release.await();
                }
            } catch (IOException | InterruptedException e) {
                request.completeExceptionally(e);
            }
        });
        return request;
    }

    private static String readRequest(InputStream input) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (!bytes.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
            int next = input.read();
            if (next < 0) {
                break;
            }
            bytes.write(next);
        }
        String head = bytes.toString(StandardCharsets.US_ASCII);
        int length = head.lines().filter(line -> line.startsWith("Content-Length: "))
                .mapToInt(line -> Integer.parseInt(line.substring("Content-Length: ".length()))).findFirst().orElse(0);
        return head + new String(input.readNBytes(length), StandardCharsets.UTF_8);
    }

    private FirecrackerApiClient client() {
        return new FirecrackerApiClient(dir.resolve("api.sock"));
    }

    @Test
    void requestHasUpstreamHeaders() throws Exception {
        CompletableFuture<String> request = serve("HTTP/1.1 204 No Content\r\n\r\n", false);

        client().send(PAUSE, TIMEOUT);

        assertThat(request.get(5, TimeUnit.SECONDS)).isEqualTo("PATCH /vm HTTP/1.1\r\n"
                + "Host: localhost\r\n"
                + "Accept: application/json\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: 18\r\n"
                + "Connection: close\r\n"
                + "\r\n"
                + "{\"state\":\"Paused\"}");
    }

    @Test
    void requestWithoutBodyHasNoContentHeaders() throws Exception {
        CompletableFuture<String> request = serve("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", false);

        client().send(FirecrackerRequests.describeInstance(), TIMEOUT);

        assertThat(request.get(5, TimeUnit.SECONDS))
                .isEqualTo("GET / HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nConnection: close\r\n\r\n");
    }

    @Test
    void replyReadByContentLength() throws Exception {
        serve("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 19\r\n\r\n{\"state\":\"Running\"}",
                true);

        ApiResponse response = client().send(FirecrackerRequests.describeInstance(), TIMEOUT);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"state\":\"Running\"}");
    }

    @Test
    void replyWithoutLengthReadToEnd() throws Exception {
        serve("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"app_name\":\"Firecracker\"}", false);

        ApiResponse response = client().send(FirecrackerRequests.describeInstance(), TIMEOUT);

        assertThat(response.body()).isEqualTo("{\"app_name\":\"Firecracker\"}");
    }

    @Test
    void noContentReplyNeedsNoLength() throws Exception {
        serve("HTTP/1.1 204 No Content\r\nServer: Firecracker API\r\n\r\n", true);

        ApiResponse response = client().send(PAUSE, TIMEOUT);

        assertThat(response.status()).isEqualTo(204);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void errorReplyNamesFaultMessage() throws Exception {
        String body = "{\"fault_message\":\"The requested operation is not supported before starting the microVM.\"}";
        serve("HTTP/1.1 400 Bad Request\r\nContent-Length: " + body.length() + "\r\n\r\n" + body, false);

        assertThatThrownBy(() -> client().send(PAUSE, TIMEOUT))
                .isInstanceOf(FirecrackerApiException.class)
                .hasMessage("PATCH /vm failed with status 400: The requested operation is not supported before "
                        + "starting the microVM.")
                .satisfies(e -> {
                    FirecrackerApiException error = (FirecrackerApiException) e;
                    assertThat(error.kind()).isEqualTo(FirecrackerApiException.Kind.ERROR_REPLY);
                    assertThat(error.status()).isEqualTo(400);
                    assertThat(error.call()).isEqualTo(PAUSE);
                });
    }

    @Test
    void errorReplyWithoutJsonKeepsRawBody() {
        assertThat(FirecrackerApiClient.faultMessage("Too many open connections")).isEqualTo("Too many open connections");
        assertThat(FirecrackerApiClient.faultMessage("")).isEqualTo("(empty body)");
    }

    @Test
    void silentServerTimesOut() throws Exception {
        serve(null, true);
        Instant start = Instant.now();

        assertThatThrownBy(() -> client().send(PAUSE, Duration.ofMillis(300)))
                .isInstanceOf(FirecrackerApiException.class)
                .hasMessageContaining("timed out after 300 ms waiting to receive the reply")
                .satisfies(e -> assertThat(((FirecrackerApiException) e).kind())
                        .isEqualTo(FirecrackerApiException.Kind.TIMEOUT));
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void missingSocketFailsToConnect() {
        assertThatThrownBy(() -> client().send(PAUSE, TIMEOUT))
                .isInstanceOf(FirecrackerApiException.class)
                .hasMessageContaining("cannot connect")
                .satisfies(e -> assertThat(((FirecrackerApiException) e).kind())
                        .isEqualTo(FirecrackerApiException.Kind.CONNECT));
    }

    @Test
    void truncatedBodyIsReported() throws Exception {
        serve("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"state\"", false);

        assertThatThrownBy(() -> client().send(FirecrackerRequests.describeInstance(), TIMEOUT))
                .isInstanceOf(FirecrackerApiException.class)
                .hasMessageContaining("the connection closed after 8 of 50 body bytes")
                .satisfies(e -> assertThat(((FirecrackerApiException) e).kind())
                        .isEqualTo(FirecrackerApiException.Kind.PROTOCOL));
    }

    @Test
    void chunkedReplyIsRejected() throws Exception {
        serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", false);

        assertThatThrownBy(() -> client().send(FirecrackerRequests.describeInstance(), TIMEOUT))
                .isInstanceOf(FirecrackerApiException.class)
                .hasMessageContaining("Transfer-Encoding 'chunked' is not supported");
    }

    @Test
    void snapshotLoadBodyUsesMemoryBackend() throws Exception {
        ApiCall call = FirecrackerRequests.loadSnapshot(Path.of("/s/a.vmstate"), Path.of("/s/a.mem"));

        assertThat(new ObjectMapper().writeValueAsString(call.body())).isEqualTo("{\"snapshot_path\":\"/s/a.vmstate\","
                + "\"mem_backend\":{\"backend_type\":\"File\",\"backend_path\":\"/s/a.mem\"},\"resume_vm\":true}");
    }
}
