package io.tangle.microvm.provider.qemu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A QMP client on one Unix socket: JSON messages, one per line, in both directions.
 *
 * <p>One reader thread owns the socket's input. It hands the greeting, command replies and events
 * to their own destinations, so an event that arrives before a reply is never taken for the reply.
 * Commands run one at a time, each with a numeric {@code id} that QEMU echoes in its reply. A
 * reply with another id is dropped, and a reply without an id (QEMU sends parse errors that way)
 * belongs to the one command in flight. Every wait is bounded.
 */
public final class QmpClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QmpClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Upper bound of one QMP message; larger input means the peer is not QEMU or is broken. */
    private static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private final String label;
    private final Path socket;
    private final SocketChannel channel;
    private final Duration commandTimeout;
    private final ReentrantLock commandLock = new ReentrantLock(true);
    private final Object writeLock = new Object();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicReference<PendingCommand> pending = new AtomicReference<>();
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final List<Consumer<QmpEvent>> listeners = new CopyOnWriteArrayList<>();
    private final List<EventSubscription> subscriptions = new CopyOnWriteArrayList<>();

    private QmpClient(String label, Path socket, SocketChannel channel, Duration commandTimeout) {
        this.label = label;
        this.socket = socket;
        this.channel = channel;
        this.commandTimeout = commandTimeout;
    }

    /**
     * Connects to QEMU's QMP socket, reads the greeting and negotiates capabilities.
     *
     * @param label a name for logs and messages, usually the VM id
     * @param deadline the bound of the connect retries, the greeting and the handshake together
     * @param commandTimeout the bound of each later command
     * @param keepTrying stops the connect retries early when it returns false (QEMU exited)
     * @param listener receives every event on the reader thread, so it must return quickly. May be
     *     {@code null}.
     */
    public static QmpClient connect(String label, Path socket, Instant deadline, Duration commandTimeout,
            BooleanSupplier keepTrying, Consumer<QmpEvent> listener) throws QmpException, InterruptedException {
        SocketChannel channel;
        try {
            channel = UnixSockets.connect(socket, deadline, keepTrying);
        } catch (IOException e) {
            throw new QmpException.Disconnected("cannot connect to the QMP socket " + socket + " of " + label + ": "
                    + e.getMessage(), e);
        }

        QmpClient client = new QmpClient(label, socket, channel, commandTimeout);
        if (listener != null) {
            client.listeners.add(listener);
        }
        Thread.ofVirtual().name("qmp-" + label).start(client::readLoop);
        try {
            client.awaitGreeting(deadline);
            Duration remaining = Duration.between(Instant.now(), deadline);
            client.execute("qmp_capabilities", null, remaining.isNegative() || remaining.isZero()
                    ? Duration.ofMillis(1) : remaining);
            return client;
        } catch (QmpException | InterruptedException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Runs {@code command} without arguments and returns its {@code return} member. */
    public JsonNode execute(String command) throws QmpException, InterruptedException {
        return execute(command, null, commandTimeout);
    }

    /** Runs {@code command} with {@code arguments} and returns its {@code return} member. */
    public JsonNode execute(String command, ObjectNode arguments) throws QmpException, InterruptedException {
        return execute(command, arguments, commandTimeout);
    }

    /**
     * Runs {@code command} and returns its {@code return} member, waiting at most {@code timeout}
     * for a command in flight to finish and for the reply.
     *
     * @throws QmpException.ErrorReply when QEMU replies with an error
     * @throws QmpException.Timeout when no reply arrives in time. A late reply is dropped.
     * @throws QmpException.Disconnected when the connection is or becomes closed
     */
    public JsonNode execute(String command, ObjectNode arguments, Duration timeout)
            throws QmpException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        if (!commandLock.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new QmpException.Timeout("QMP command '" + command + "' for " + label + " could not start within "
                    + timeout.toMillis() + " ms: the previous command is still waiting for its reply");
        }
        PendingCommand request = new PendingCommand(nextId.getAndIncrement(), command, new CompletableFuture<>());
        try {
            requireOpen(command);
            pending.set(request);
            send(request, arguments);

            JsonNode reply = awaitReply(request, deadline, timeout);
            JsonNode error = reply.get("error");
            if (error != null) {
                throw new QmpException.ErrorReply(command, error.path("class").asText("unknown"),
                        error.path("desc").asText(error.toString()));
            }
            return reply.path("return");
        } finally {
            pending.compareAndSet(request, null);
            commandLock.unlock();
        }
    }

    /** Adds a listener that receives every later event on the reader thread. */
    public void addEventListener(Consumer<QmpEvent> listener) {
        listeners.add(listener);
    }

    /** Starts queueing events for one waiter; close the subscription when done. */
    public EventSubscription subscribe() {
        EventSubscription subscription = new EventSubscription();
        subscriptions.add(subscription);
        if (closed.isDone()) {
            subscription.queue.add(EventSubscription.CLOSED);
        }
        return subscription;
    }

    public boolean isOpen() {
        return !closed.isDone();
    }

    /** Returns a future that completes with the reason once the connection is closed. */
    public CompletableFuture<String> closedFuture() {
        return closed;
    }

    public Path socket() {
        return socket;
    }

    /** Closes the connection. A command in flight fails with {@link QmpException.Disconnected}. */
    @Override
    public void close() {
        markClosed("the QMP client was closed");
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing the QMP socket {} of {} failed: {}", socket, label, e.toString());
        }
    }

    private void awaitGreeting(Instant deadline) throws QmpException, InterruptedException {
        long waitMillis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
        try {
            greeting.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new QmpException.Timeout("no QMP greeting from " + socket + " of " + label + " within the deadline: "
                    + "QEMU accepted the connection but did not answer");
        } catch (ExecutionException e) {
            throw new QmpException.Disconnected("the QMP connection to " + socket + " of " + label
                    + " closed before the greeting: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private JsonNode awaitReply(PendingCommand request, Instant deadline, Duration timeout)
            throws QmpException, InterruptedException {
        long waitMillis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
        try {
            return request.reply.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new QmpException.Timeout("QMP command '" + request.command + "' for " + label + " got no reply within "
                    + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new QmpException.Disconnected("QMP command '" + request.command + "' for " + label + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private void send(PendingCommand request, ObjectNode arguments) throws QmpException {
        ObjectNode message = JSON.createObjectNode();
        message.put("execute", request.command);
        if (arguments != null) {
            message.set("arguments", arguments);
        }
        message.put("id", request.id);

        byte[] bytes;
        try {
            bytes = (JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode QMP command '" + request.command + "'", e);
        }

        // NOTE: this write has no timeout. It blocks only when the socket buffer is full, and a few
        // small commands to a stopped QEMU do not fill it. The reply wait after it is bounded.
        synchronized (writeLock) {
            try {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            } catch (IOException e) {
                markClosed("writing to the QMP socket failed: " + e.getMessage());
                throw new QmpException.Disconnected("cannot send QMP command '" + request.command + "' to " + label
                        + ": " + e.getMessage(), e);
            }
        }
        log.debug("QMP {} -> {} (id {})", label, request.command, request.id);
    }

    private void requireOpen(String command) throws QmpException {
        if (closed.isDone()) {
            throw new QmpException.Disconnected("QMP command '" + command + "' for " + label
                    + " was not sent: the connection is closed (" + closed.getNow("closed") + ")", null);
        }
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        try {
            while (true) {
                buffer.clear();
                int read = channel.read(buffer);
                if (read < 0) {
                    markClosed("QEMU closed the QMP connection");
                    return;
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        dispatch(message.toByteArray());
                        message.reset();
                    } else if (message.size() >= MAX_MESSAGE_BYTES) {
                        markClosed("a QMP message exceeded " + MAX_MESSAGE_BYTES + " bytes");
                        channel.close();
                        return;
                    } else {
                        message.write(b);
                    }
                }
            }
        } catch (IOException e) {
            markClosed(closed.isDone() ? "closed" : "reading the QMP socket failed: " + e);
        }
    }

    private void dispatch(byte[] line) {
        String text = new String(line, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return;
        }

        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            log.warn("ignoring a QMP message from {} that is not JSON: {}", label, abbreviate(text));
            return;
        }

        if (node.has("QMP")) {
            greeting.complete(node);
        } else if (node.has("event")) {
            deliver(toEvent(node));
        } else if (node.has("return") || node.has("error")) {
            deliverReply(node);
        } else {
            log.warn("ignoring an unknown QMP message from {}: {}", label, abbreviate(text));
        }
    }

    private void deliverReply(JsonNode reply) {
        PendingCommand request = pending.get();
        JsonNode id = reply.get("id");
        if (request == null) {
            log.debug("dropping a QMP reply from {} with no command in flight: {}", label, abbreviate(reply.toString()));
            return;
        }
        if (id != null && !(id.canConvertToLong() && id.asLong() == request.id)) {
            log.debug("dropping a QMP reply from {} for id {} while waiting for id {}", label, id, request.id);
            return;
        }
        if (pending.compareAndSet(request, null)) {
            request.reply.complete(reply);
        }
    }

    private void deliver(QmpEvent event) {
        log.debug("QMP {} event {} {}", label, event.name(), event.data());
        for (Consumer<QmpEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                log.warn("QMP event listener for {} failed on {}", label, event.name(), e);
            }
        }
        for (EventSubscription subscription : subscriptions) {
            subscription.queue.add(event);
        }
    }

    private static QmpEvent toEvent(JsonNode node) {
        JsonNode timestamp = node.path("timestamp");
        Instant time = timestamp.has("seconds")
                ? Instant.ofEpochSecond(timestamp.path("seconds").asLong(), timestamp.path("microseconds").asLong() * 1000)
                : Instant.now();
        return new QmpEvent(node.path("event").asText(), node.get("data"), time);
    }

    private void markClosed(String reason) {
        if (!closed.complete(reason)) {
            return;
        }
        log.debug("QMP connection of {} closed: {}", label, reason);
        QmpException.Disconnected failure = new QmpException.Disconnected(reason, null);
        greeting.completeExceptionally(failure);
        PendingCommand request = pending.getAndSet(null);
        if (request != null) {
            request.reply.completeExceptionally(failure);
        }
        for (EventSubscription subscription : subscriptions) {
            subscription.queue.add(EventSubscription.CLOSED);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    private record PendingCommand(long id, String command, CompletableFuture<JsonNode> reply) {
    }

    /** A queue of the events that arrive after {@link #subscribe()}, for one waiting thread. */
    public final class EventSubscription implements AutoCloseable {

        private static final QmpEvent CLOSED = new QmpEvent("<closed>", null, Instant.EPOCH);

        private final BlockingQueue<QmpEvent> queue = new LinkedBlockingQueue<>();

        /**
         * Returns the next event, or empty when none arrives within {@code timeout}.
         *
         * @throws QmpException.Disconnected once the connection is closed and the queue is drained
         */
        public Optional<QmpEvent> poll(Duration timeout) throws QmpException, InterruptedException {
            QmpEvent event = queue.poll(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
            if (event == CLOSED) {
                queue.add(CLOSED);
                throw new QmpException.Disconnected("the QMP connection of " + label + " closed: "
                        + closed.getNow("closed"), null);
            }
            return Optional.ofNullable(event);
        }

        @Override
        public void close() {
            subscriptions.remove(this);
        }
    }
}
