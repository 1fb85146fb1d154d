package io.tangle.microvm.provider.firecracker;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** Checks on Unix socket files. */
final class UnixSockets {

    private UnixSockets() {
    }

    /**
     * Returns whether a process accepts connections on {@code socket} right now. A refused
     * connection or a missing file means that no process listens. A full backlog counts as
     * listening. The connect is non-blocking, so the check does not block.
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
}
