package io.tangle.microvm.provider.qemu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to a QEMU serial console socket that copies everything the guest prints into a
 * {@link ConsoleLog}, on its own virtual thread. QEMU drops console output while no client is
 * connected, and accepts a new client after one disconnects, which is how a restarted provider
 * reattaches.
 */
final class ConsoleConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsoleConnection.class);

    private final String vmId;
    private final SocketChannel channel;
    private final ConsoleLog consoleLog;

    private ConsoleConnection(String vmId, SocketChannel channel, ConsoleLog consoleLog) {
        this.vmId = vmId;
        this.channel = channel;
        this.consoleLog = consoleLog;
    }

    /** Connects with a bounded retry and starts copying output. */
    static ConsoleConnection open(String vmId, Path socket, Instant deadline, BooleanSupplier keepTrying,
            ConsoleLog consoleLog) throws IOException, InterruptedException {
        SocketChannel channel = UnixSockets.connect(socket, deadline, keepTrying);
        ConsoleConnection connection = new ConsoleConnection(vmId, channel, consoleLog);
        Thread.ofVirtual().name("console-" + vmId).start(connection::copyLoop);
        return connection;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing the console socket of vm '{}' failed: {}", vmId, e.toString());
        }
    }

    private void copyLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        try {
            while (channel.read(buffer.clear()) >= 0) {
                consoleLog.append(buffer.array(), 0, buffer.position());
            }
        } catch (IOException e) {
            if (channel.isOpen()) {
                log.debug("reading the console of vm '{}' stopped: {}", vmId, e.toString());
            }
        }
    }
}
