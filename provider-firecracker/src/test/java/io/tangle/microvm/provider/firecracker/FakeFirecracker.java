package io.tangle.microvm.provider.firecracker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stand-in for the Firecracker binary, started by the tests as a real child process with the
 * same command line, {@code --api-sock PATH}. It serves HTTP/1.1 on that Unix socket, checks
 * every request against the official API definition ({@link ApiDefinition}), replies as
 * Firecracker does (204 for accepted changes, 200 with JSON for {@code GET /}, 400 with a
 * {@code fault_message} otherwise), keeps the VM state machine of {@link FakeVmm}, and appends
 * every request with its validation result to the log named by {@link FakeFaults#LOG}. Fault
 * hooks come from the environment ({@link FakeFaults}).
 *
 * <p>Like Firecracker's API thread, it serves one request at a time, and it fails to start when
 * the socket file already exists.
 */
public final class FakeFirecracker {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Firecracker's default limit for request bodies, {@code HTTP_MAX_PAYLOAD_SIZE}. */
    private static final int MAX_BODY_BYTES = 51200;

    private final ApiDefinition definition;
    private final FakeVmm vmm;
    private final FakeFaults faults;
    private final Path socket;
    private final ReentrantLock apiLock = new ReentrantLock();

    private FakeFirecracker(ApiDefinition definition, FakeVmm vmm, FakeFaults faults, Path socket) {
        this.definition = definition;
        this.vmm = vmm;
        this.faults = faults;
        this.socket = socket;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals(FirecrackerProcess.API_SOCK_OPTION)) {
            System.err.println("usage: FakeFirecracker --api-sock PATH");
            System.exit(2);
        }
        Path socket = Path.of(args[1]);
        FakeFaults faults = FakeFaults.fromEnvironment(System.getenv());

        if (faults.exitAtStart() >= 0) {
            System.err.println("fake firecracker: injected start failure, exiting with status " + faults.exitAtStart());
            System.exit(faults.exitAtStart());
        }
        if (faults.noSocket()) {
            System.err.println("fake firecracker: injected fault, never creating " + socket);
            Thread.sleep(Long.MAX_VALUE);
        }

        // The socket comes up only once the definition is parsed (about a second), so readiness
        // includes it, and no request gets a reply before it is checked.
        ApiDefinition definition;
        try {
            definition = ApiDefinition.load();
        } catch (RuntimeException e) {
            System.err.println("fake firecracker: cannot load the API definition: " + e);
            System.exit(3);
            return;
        }
        if (faults.socketDelayMillis() > 0) {
            Thread.sleep(faults.socketDelayMillis());
        }

        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            System.err.println("fake firecracker: failed to bind socket " + socket + ": " + e);
            System.exit(1);
        }
        System.out.println("fake firecracker: API server listening on " + socket);

        FakeFirecracker fake = new FakeFirecracker(definition, new FakeVmm(faults), faults, socket);
        while (true) {
            SocketChannel client = server.accept();
            Thread.ofVirtual().start(() -> fake.serve(client));
        }
    }

    private void serve(SocketChannel client) {
        try (client; InputStream input = Channels.newInputStream(client);
                OutputStream output = Channels.newOutputStream(client)) {
            while (true) {
                Request request = Request.read(input);
                if (request == null) {
                    return;
                }
                apiLock.lock();
                try {
                    handle(request, output);
                } finally {
                    apiLock.unlock();
                }
                if ("close".equalsIgnoreCase(request.headers().getOrDefault("connection", ""))) {
                    return;
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("fake firecracker: connection failed: " + e);
        }
    }

    private void handle(Request request, OutputStream output) throws IOException, InterruptedException {
        List<String> errors = definition.validate(request.method(), request.path(), request.headers(),
                request.body());
        FakeVmm.Reply reply;
        if (!errors.isEmpty()) {
            reply = FakeVmm.Reply.badRequest("request does not match the Firecracker API definition: " + errors);
        } else {
            JsonNode body = request.body() == null ? JSON.nullNode() : JSON.readTree(request.body());
            reply = vmm.handle(request.method(), request.path(), body);
        }
        log(request, errors, reply);

        if (reply.hang()) {
            System.err.println("fake firecracker: injected hang at " + request.method() + " " + request.path());
            Thread.sleep(Long.MAX_VALUE);
        }
        writeReply(output, reply, request.headers().getOrDefault("connection", ""));
        if (reply.exitAfterReply()) {
            System.err.println("fake firecracker: exiting after " + request.method() + " " + request.path());
            System.exit(reply.status() < 300 ? 0 : 1);
        }
    }

    private static void writeReply(OutputStream output, FakeVmm.Reply reply, String connection) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(reply.status()).append(' ')
                .append(reasonPhrase(reply.status())).append("\r\n")
                .append("Server: Firecracker API\r\n")
                .append("Connection: ").append("close".equalsIgnoreCase(connection) ? "close" : "keep-alive")
                .append("\r\n");
        byte[] body = reply.body() == null ? new byte[0] : reply.body().getBytes(StandardCharsets.UTF_8);
        if (reply.body() != null) {
            head.append("Content-Type: application/json\r\n").append("Content-Length: ").append(body.length)
                    .append("\r\n");
        }
        head.append("\r\n");
        output.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        output.write(body);
        output.flush();
    }

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            default -> "Internal Server Error";
        };
    }

    /** Appends one JSON line per request. One write per line keeps the lines of concurrent processes whole. */
    private void log(Request request, List<String> errors, FakeVmm.Reply reply) throws IOException {
        if (faults.logFile() == null) {
            return;
        }
        ObjectNode line = JSON.createObjectNode()
                .put("pid", ProcessHandle.current().pid())
                .put("socket", socket.toString())
                .put("method", request.method())
                .put("path", request.path())
                .put("body", request.body())
                .put("valid", errors.isEmpty())
                .put("status", reply.hang() ? 0 : reply.status());
        line.set("errors", JSON.valueToTree(errors));
        Files.writeString(Path.of(faults.logFile()), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** One HTTP/1.1 request, with header names in lowercase. */
    private record Request(String method, String path, Map<String, String> headers, String body) {

        /** Reads the next request, or returns {@code null} when the client closed the connection. */
        static Request read(InputStream input) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int next = input.read();
                if (next < 0) {
                    if (head.size() == 0) {
                        return null;
                    }
                    throw new IOException("connection closed inside a request header");
                }
                head.write(next);
                matched = (next == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (next == '\r' ? 1 : 0);
                if (head.size() > MAX_HEADER_BYTES) {
                    throw new IOException("request header exceeds " + MAX_HEADER_BYTES + " bytes");
                }
            }

            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            String[] requestLine = lines[0].split(" ");
            if (requestLine.length != 3 || !requestLine[2].equals("HTTP/1.1")) {
                throw new IOException("invalid request line '" + lines[0] + "'");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon <= 0) {
                    throw new IOException("invalid header line '" + lines[i] + "'");
                }
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }

            String body = null;
            String length = headers.get("content-length");
            if (length != null) {
                int bytes = Integer.parseInt(length);
                if (bytes > MAX_BODY_BYTES) {
                    throw new IOException("request body of " + bytes + " bytes exceeds " + MAX_BODY_BYTES);
                }
                body = new String(input.readNBytes(bytes), StandardCharsets.UTF_8);
            }
            return new Request(requestLine[0], requestLine[1], headers, body);
        }
    }
}
