package io.tangle.microvm.query;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tangle.microvm.runtime.VmQuery;
import io.tangle.microvm.store.JobOutcomeStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only HTTP query API, on the JDK's built-in server with one virtual thread per request.
 *
 * <p>Routes: {@code GET /health}, {@code /vms}, {@code /vms/{vm_id}},
 * {@code /vms/{vm_id}/snapshots} and {@code /jobs/{call_id}}. Any other method gets 405 with
 * {@code Allow: GET}, an unknown path 404, and a backend failure 500. Every error body is
 * {@code {"error": "..."}}. Request bodies are never read.
 *
 * <p>Lifecycle: {@link #start} binds once, and {@link #close} stops the server and is idempotent. A
 * closed server cannot be started again.
 */
public final class QueryServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueryServer.class);

    /** How long {@link #close} lets requests in progress finish, in seconds. */
    private static final int STOP_GRACE_SECONDS = 1;

    private enum State { NEW, STARTED, CLOSED }

    private final String host;
    private final int requestedPort;
    private final List<Route> routes;

    private State state = State.NEW;
    private HttpServer server;
    private ExecutorService executor;

    /**
     * @param host the address to bind, such as {@code 127.0.0.1}
     * @param port the port to bind, or 0 for an ephemeral one (see {@link #port()})
     */
    public QueryServer(String host, int port, VmQuery vms, JobOutcomeStore outcomes) {
        this(host, port, vms, outcomes, QuerySources.none());
    }

    /**
     * @param host the address to bind, such as {@code 127.0.0.1}
     * @param port the port to bind, or 0 for an ephemeral one (see {@link #port()})
     * @param sources readiness, consoles and submissions for the operator routes
     */
    public QueryServer(String host, int port, VmQuery vms, JobOutcomeStore outcomes, QuerySources sources) {
        this.host = Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("query API port " + port + " is out of range: expected 0 to 65535");
        }
        this.requestedPort = port;
        this.routes = new QueryRoutes(Objects.requireNonNull(vms, "vms"),
                Objects.requireNonNull(outcomes, "outcomes"), Objects.requireNonNull(sources, "sources")).all();
    }

    /**
     * Binds the address and starts serving.
     *
     * @throws UncheckedIOException when the address cannot be bound, such as a port in use
     * @throws IllegalStateException when already started or closed
     */
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("query API server cannot start: it is "
                    + state.name().toLowerCase(Locale.ROOT));
        }

        try {
            server = HttpServer.create(new InetSocketAddress(host, requestedPort), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind the query API to " + host + ":" + requestedPort + ": "
                    + e.getMessage(), e);
        }
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        state = State.STARTED;

        log.info("query API listening on {}:{}", host, port());
    }

    /**
     * Returns the bound port, which differs from the requested one when that was 0.
     *
     * @throws IllegalStateException before {@link #start}
     */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("query API server has no port: it was never started");
        }
        return server.getAddress().getPort();
    }

    /** Stops accepting requests, lets requests in progress finish for up to one second, then stops. */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        State previous = state;
        state = State.CLOSED;
        if (previous == State.NEW) {
            return;
        }

        int port = port();
        server.stop(STOP_GRACE_SECONDS);
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                log.warn("query API on {}:{} stopped with request threads still running", host, port);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("query API on {}:{} stopped", host, port);
    }

    private void handle(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String rawPath = exchange.getRequestURI().getRawPath();
        try (exchange) {
            send(exchange, respond(method, rawPath), "HEAD".equals(method));
        } catch (IOException e) {
            // The client went away, so the response has no receiver.
            log.debug("query API could not send the response to {} {}: {}", method, rawPath, e.toString());
        }
    }

    private QueryResponse respond(String method, String rawPath) {
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return QueryResponse.error(405, "method " + QueryRoutes.shown(method) + " is not allowed: the query API is"
                    + " read-only and accepts GET and HEAD only").withHeader("Allow", "GET, HEAD");
        }
        if (rawPath == null || !rawPath.startsWith("/")) {
            return QueryResponse.error(404, "no route for " + QueryRoutes.shown(String.valueOf(rawPath)));
        }

        List<String> segments;
        try {
            segments = PathDecoder.segments(rawPath);
        } catch (IllegalArgumentException e) {
            return QueryResponse.error(400, e.getMessage());
        }

        for (Route route : routes) {
            Optional<Map<String, String>> parameters = route.pattern().match(segments);
            if (parameters.isPresent()) {
                return answer(route, parameters.get(), rawPath);
            }
        }
        return QueryResponse.error(404, "no route for " + QueryRoutes.shown(rawPath));
    }

    private static QueryResponse answer(Route route, Map<String, String> parameters, String rawPath) {
        try {
            return route.handler().handle(parameters);
        } catch (QueryUnavailableException e) {
            log.debug("query API cannot respond to GET {} yet: {}", rawPath, e.getMessage());
            return QueryResponse.error(503, e.getMessage());
        } catch (RuntimeException e) {
            String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
            log.warn("query API failed to respond to GET {}: {}", rawPath, message, e);
            return QueryResponse.error(500, message);
        }
    }

    /** Sends the response; for a HEAD request only its status and headers, as HTTP requires. */
    private static void send(HttpExchange exchange, QueryResponse response, boolean headOnly) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        response.headers().forEach(exchange.getResponseHeaders()::set);

        byte[] body = headOnly ? new byte[0] : response.body();
        exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
