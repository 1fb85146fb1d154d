package io.tangle.microvm.provider.qemu;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Connects to Unix sockets that a QEMU process is still creating, with a bounded retry. */
final class UnixSockets {

    private static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(5);
    private static final Duration MAX_RETRY_DELAY = Duration.ofMillis(100);

    private UnixSockets() {
    }

    /**
     * Connects to {@code socket}, retrying while the file does not exist yet, no process listens yet, or
     * the listen backlog is full. QEMU creates its socket files before its main loop accepts, and
     * listens with a backlog of one, so early attempts fail in all three ways.
     *
     * <p>The connect itself is non-blocking: on Linux a blocking connect to a full backlog waits
     * without a bound, while a non-blocking one fails at once with EAGAIN and is retried here.
     *
     * @param keepTrying checked before each retry. When it returns false, the last error is thrown
     *     at once (for example because the QEMU process exited).
     * @return a connected channel in blocking mode
     * @throws IOException the last connect error when the deadline passes or {@code keepTrying}
     *     returns false
     */
    static SocketChannel connect(Path socket, Instant deadline, BooleanSupplier keepTrying)
            throws IOException, InterruptedException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        Duration delay = FIRST_RETRY_DELAY;
        while (true) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.configureBlocking(false);
                if (channel.connect(address) || channel.finishConnect()) {
                    channel.configureBlocking(true);
                    return channel;
                }
                throw new IOException("connect to " + socket + " is pending");
            } catch (IOException e) {
                channel.close();
                Instant now = Instant.now();
                if (!now.isBefore(deadline) || !keepTrying.getAsBoolean()) {
                    throw e;
                }
                Duration remaining = Duration.between(now, deadline);
                Thread.sleep(min(delay, remaining));
                delay = min(delay.multipliedBy(2), MAX_RETRY_DELAY);
            }
        }
    }

    /**
     * Returns whether a process accepts connections on {@code socket} right now. A refused
     * connection or a missing file means that no process listens. A full backlog counts as listening.
     */
    static boolean isListening(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.configureBlocking(false);
            return channel.connect(UnixDomainSocketAddress.of(socket)) || channel.isConnectionPending();
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            return message.contains("Resource temporarily unavailable");
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
