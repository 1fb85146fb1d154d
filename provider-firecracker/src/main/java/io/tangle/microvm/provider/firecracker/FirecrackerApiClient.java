package io.tangle.microvm.provider.firecracker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * HTTP/1.1 client for the Firecracker API on its Unix socket. Each call opens its own
 * connection, sends the request as the upstream adapter does ({@code Host: localhost},
 * {@code Accept: application/json}, and with a body {@code Content-Type: application/json} and
 * {@code Content-Length}, then {@code Connection: close}) and reads the reply by its
 * {@code Content-Length}, or to the end of the stream when it has none.
 *
 * <p>Every call is bounded as a whole, connect, send and receive together, by the timeout
 * passed in. The channel is non-blocking and waits in a {@link Selector}, because a blocking
 * {@link SocketChannel} ignores read timeouts. The client keeps no state and is thread-safe.
 */
public final class FirecrackerApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int READ_BUFFER_BYTES = 8192;
    private static final int MAX_FAULT_TEXT = 500;

    private final Path socket;

    public FirecrackerApiClient(Path socket) {
        this.socket = Objects.requireNonNull(socket, "socket");
    }

    public Path socket() {
        return socket;
    }

    /**
     * Sends {@code call} and returns the successful reply.
     *
     * @throws FirecrackerApiException when the call fails or times out, or Firecracker replies with
     *     a status outside 200 to 299. The message names the call, the socket and the cause.
     * @throws InterruptedException when the calling thread is interrupted. The connection is closed
     */
    public ApiResponse send(ApiCall call, Duration timeout) throws FirecrackerApiException, InterruptedException {
        byte[] request = encode(call);
        Instant deadline = Instant.now().plus(timeout);
        ApiResponse response = exchange(call, request, deadline, timeout);
        if (!response.isSuccess()) {
            String fault = faultMessage(response.body());
            throw new FirecrackerApiException(FirecrackerApiException.Kind.ERROR_REPLY, call, response.status(), fault,
                    call + " failed with status " + response.status() + ": " + fault, null);
        }
        return response;
    }

    /** Returns the request bytes: request line, headers and compact JSON body. */
    static byte[] encode(ApiCall call) {
        byte[] body = new byte[0];
        if (call.body() != null) {
            try {
                body = JSON.writeValueAsBytes(call.body());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("cannot encode the body of " + call + ": " + e.getMessage(), e);
            }
        }

        StringBuilder head = new StringBuilder()
                .append(call.method()).append(' ').append(call.path()).append(" HTTP/1.1\r\n")
                .append("Host: localhost\r\n")
                .append("Accept: application/json\r\n");
        if (call.body() != null) {
            head.append("Content-Type: application/json\r\n")
                    .append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");

        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    private ApiResponse exchange(ApiCall call, byte[] request, Instant deadline, Duration timeout)
            throws FirecrackerApiException, InterruptedException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            connect(call, channel, selector, deadline, timeout);

            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) {
                    await(call, channel, selector, SelectionKey.OP_WRITE, deadline, timeout, "send the request");
                }
            }

            HttpResponseParser parser = new HttpResponseParser();
            ByteBuffer in = ByteBuffer.allocate(READ_BUFFER_BYTES);
            while (true) {
                in.clear();
                int read = channel.read(in);
                if (read < 0) {
                    return parser.finishAtEndOfStream();
                }
                if (read == 0) {
                    await(call, channel, selector, SelectionKey.OP_READ, deadline, timeout, "receive the reply");
                    continue;
                }
                in.flip();
                if (parser.feed(in)) {
                    return parser.response();
                }
            }
        } catch (HttpResponseParser.ProtocolException e) {
            throw failure(FirecrackerApiException.Kind.PROTOCOL, call, "invalid reply: " + e.getMessage(), e);
        } catch (IOException e) {
            throw failure(FirecrackerApiException.Kind.IO, call, e.toString(), e);
        }
    }

    private void connect(ApiCall call, SocketChannel channel, Selector selector, Instant deadline, Duration timeout)
            throws FirecrackerApiException, InterruptedException {
        try {
            // A Unix socket connect completes at once or fails at once: ENOENT without a socket
            // file, ECONNREFUSED without a listener, EAGAIN with a full backlog.
            if (!channel.connect(UnixDomainSocketAddress.of(socket))) {
                await(call, channel, selector, SelectionKey.OP_CONNECT, deadline, timeout, "connect");
                channel.finishConnect();
            }
        } catch (IOException e) {
            throw failure(FirecrackerApiException.Kind.CONNECT, call, "cannot connect: " + e.getMessage(), e);
        }
    }

    /** Waits until {@code channel} is ready for {@code operation}, or throws at the deadline. */
    private void await(ApiCall call, SocketChannel channel, Selector selector, int operation, Instant deadline,
            Duration timeout, String step) throws IOException, FirecrackerApiException, InterruptedException {
        SelectionKey key = channel.register(selector, operation);
        try {
            while (true) {
                long remaining = Duration.between(Instant.now(), deadline).toMillis();
                if (remaining <= 0) {
                    throw failure(FirecrackerApiException.Kind.TIMEOUT, call, "timed out after " + timeout.toMillis()
                            + " ms waiting to " + step, null);
                }
                int ready = selector.select(remaining);
                if (Thread.interrupted()) {
                    throw new InterruptedException(call + " on " + socket + " was interrupted");
                }
                if (ready > 0) {
                    selector.selectedKeys().clear();
                    return;
                }
            }
        } finally {
            key.interestOps(0);
        }
    }

    private FirecrackerApiException failure(FirecrackerApiException.Kind kind, ApiCall call, String cause,
            Throwable error) {
        return new FirecrackerApiException(kind, call, 0, null, call + " on " + socket + " failed: " + cause, error);
    }

    /** Returns the {@code fault_message} of an error body, or the body itself, shortened, when it has none. */
    static String faultMessage(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.hasNonNull("fault_message")) {
                return node.get("fault_message").asText();
            }
        } catch (JsonProcessingException e) {
            // Not JSON: the raw body is reported below.
        }
        String trimmed = body.strip();
        if (trimmed.isEmpty()) {
            return "(empty body)";
        }
        return trimmed.length() <= MAX_FAULT_TEXT ? trimmed : trimmed.substring(0, MAX_FAULT_TEXT) + "...";
    }
}
