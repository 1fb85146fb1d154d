package io.tangle.microvm.bridge;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ClientCalls;
import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of the Tangle blueprint manager's bridge: the gRPC service
 * {@code blueprint_manager_bridge.BlueprintManagerBridge} that the manager serves on a Unix domain
 * socket for each service it runs, and passes to the service in {@code BRIDGE_SOCKET_PATH}. The
 * manager counts a service as healthy once its first {@code Ping} arrives, and drops a service
 * that sends none within 480 s of its start (blueprint manager, {@code crates/manager/src/rt/service.rs}).
 *
 * <p>The connection is made lazily by the first call and kept until {@link #close()}.
 */
public final class BridgeClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BridgeClient.class);

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration FIRST_RETRY_PAUSE = Duration.ofMillis(500);
    private static final Duration MAX_RETRY_PAUSE = Duration.ofSeconds(5);
    private static final Duration MIN_ATTEMPT = Duration.ofMillis(200);

    /** Called after each failed ping attempt of {@link #pingWithRetries}; for tests and progress reports. */
    @FunctionalInterface
    public interface FailureListener {
        void failed(int attempt, BridgeException error);
    }

    private final Path socket;
    private final EventLoopGroup eventLoop;
    private final ManagedChannel channel;

    private BridgeClient(Path socket) {
        this.socket = socket;
        this.eventLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        this.channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(eventLoop)
                .channelType(EpollDomainSocketChannel.class)
                .overrideAuthority("localhost")
                .usePlaintext()
                .build();
    }

    /** Creates a client for the bridge at {@code socket}; nothing is connected until the first call. */
    public static BridgeClient forSocket(Path socket) {
        return new BridgeClient(Objects.requireNonNull(socket, "socket"));
    }

    /** Returns the bridge's socket. */
    public Path socket() {
        return socket;
    }

    /**
     * Sends one {@code Ping} and waits up to {@code timeout} for the reply.
     *
     * @throws BridgeException when the bridge is unreachable, fails the call, or does not reply in time
     */
    public void ping(Duration timeout) throws BridgeException {
        try {
            ClientCalls.blockingUnaryCall(channel, BridgeMethods.PING,
                    CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS), new byte[0]);
        } catch (StatusRuntimeException e) {
            throw new BridgeException("Ping to the blueprint manager bridge at " + socket + " failed: "
                    + e.getStatus().getCode() + describe(e), e);
        }
    }

    /**
     * Pings until the bridge responds or {@code total} has passed, pausing 0.5 s after the first
     * failure and twice as long after each further one, at most 5 s. Each attempt waits at most
     * {@code attemptTimeout}, and never past the end of {@code total}.
     *
     * @return the number of the attempt that got a response
     * @throws BridgeException with the last failure when no attempt got a response in time
     * @throws InterruptedException when interrupted while pausing between attempts
     */
    public int pingWithRetries(Duration total, Duration attemptTimeout, FailureListener listener)
            throws BridgeException, InterruptedException {
        long started = System.nanoTime();
        long deadline = started + total.toNanos();
        Duration pause = FIRST_RETRY_PAUSE;
        for (int attempt = 1; ; attempt++) {
            try {
                Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
                ping(left.compareTo(attemptTimeout) < 0 ? left : attemptTimeout);
                log.info("blueprint manager bridge at {} responded to the ping (attempt {})", socket, attempt);
                return attempt;
            } catch (BridgeException e) {
                listener.failed(attempt, e);
                // Another attempt needs time of its own; one with almost none would only time out.
                long left = deadline - System.nanoTime() - MIN_ATTEMPT.toNanos();
                if (left <= 0) {
                    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    throw new BridgeException("the blueprint manager bridge at " + socket + " did not respond to a ping within "
                            + waited + " ms (" + attempt + (attempt == 1 ? " attempt" : " attempts") + "); last error: "
                            + e.getMessage(), e);
                }
                long sleep = Math.min(pause.toMillis(), TimeUnit.NANOSECONDS.toMillis(left));
                log.warn("ping to the blueprint manager bridge at {} failed (attempt {}); trying again in {} ms: {}",
                        socket, attempt, sleep, e.getMessage());
                Thread.sleep(sleep);
                pause = pause.multipliedBy(2).compareTo(MAX_RETRY_PAUSE) > 0 ? MAX_RETRY_PAUSE : pause.multipliedBy(2);
            }
        }
    }

    /** Closes the connection and its event loop, waiting up to 2 s for each. */
    @Override
    public void close() {
        channel.shutdownNow();
        try {
            if (!channel.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("connection to the blueprint manager bridge at {} still open {} ms after close", socket,
                        CLOSE_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        eventLoop.shutdownGracefully(0, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Returns the status description and the cause's message, such as "(io exception: connect(..) failed: ...)". */
    private static String describe(StatusRuntimeException e) {
        String description = e.getStatus().getDescription();
        Throwable cause = e.getStatus().getCause();
        String causeText = cause == null ? null
                : cause instanceof FileNotFoundException ? "no socket file at this path"
                : cause.getMessage() != null ? cause.getMessage() : cause.toString();
        if (description == null && causeText == null) {
            return "";
        }
        if (description == null || causeText == null) {
            return " (" + (description != null ? description : causeText) + ")";
        }
        return " (" + description + ": " + causeText + ")";
    }
}
