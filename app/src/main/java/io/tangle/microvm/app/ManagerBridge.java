package io.tangle.microvm.app;

import io.tangle.microvm.bridge.BridgeClient;
import io.tangle.microvm.bridge.BridgeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's link to the Tangle blueprint manager. A manager passes the socket of its bridge
 * in {@code BRIDGE_SOCKET_PATH} and counts the service as healthy once a {@code Ping} arrives on
 * it, so the operator pings before it waits for anything else. Without a socket the operator runs
 * standalone. As in the Rust SDK's runner, an unreachable bridge stops the start-up, unless test
 * mode is on.
 */
final class ManagerBridge implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ManagerBridge.class);

    private static final Duration PING_TIMEOUT = Duration.ofSeconds(5);

    private final Optional<Path> socket;
    private final Duration pingWindow;
    private final boolean testMode;
    private BridgeClient client;

    /** @param pingWindow how long the pings may take in all */
    ManagerBridge(Optional<Path> socket, Duration pingWindow, boolean testMode) {
        this.socket = socket;
        this.pingWindow = pingWindow;
        this.testMode = testMode;
    }

    /**
     * Pings the bridge until it responds, for up to the ping window; does nothing without a socket.
     *
     * @throws IllegalStateException when the bridge does not respond in time and test mode is off
     * @throws InterruptedException when a stop signal arrives meanwhile
     */
    void connect() throws InterruptedException {
        if (socket.isEmpty()) {
            log.info("no blueprint manager bridge (BRIDGE_SOCKET_PATH is not set): running standalone");
            return;
        }

        client = BridgeClient.forSocket(socket.get());
        try {
            client.pingWithRetries(pingWindow, PING_TIMEOUT, (attempt, error) -> { });
        } catch (BridgeException e) {
            if (testMode) {
                log.warn("{}; test mode is on, so the operator runs without the bridge", e.getMessage());
                return;
            }
            // The message already names the last gRPC error, so the cause goes to the DEBUG log only.
            log.debug("blueprint manager bridge at {} is unreachable", socket.get(), e);
            throw new IllegalStateException(e.getMessage() + "; check that the blueprint manager is running and serves"
                    + " this socket, or set TEST_MODE=true to run without it");
        }
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
