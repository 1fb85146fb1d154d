package io.tangle.microvm.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeClientTest {

    private static final Duration ATTEMPT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void pingReachesBridge() throws Exception {
        Path socket = dir.resolve("bridge.sock");
        try (FakeBridge bridge = FakeBridge.start(socket); BridgeClient client = BridgeClient.forSocket(socket)) {
            client.ping(ATTEMPT);

            assertThat(bridge.pings()).hasSize(1);
            assertThat(bridge.pings().getFirst()).as("encoded google.protobuf.Empty").isEmpty();
        }
    }

    @Test
    void missingSocketFailsNamingIt() {
        Path socket = dir.resolve("absent.sock");
        List<Integer> failedAttempts = new ArrayList<>();

        try (BridgeClient client = BridgeClient.forSocket(socket)) {
            assertThatThrownBy(() -> client.pingWithRetries(Duration.ofMillis(1_200), ATTEMPT,
                    (attempt, error) -> failedAttempts.add(attempt)))
                    .isInstanceOf(BridgeException.class)
                    .hasMessageContaining(socket.toString())
                    .hasMessageContaining("did not respond to a ping within 1")
                    .hasMessageContaining("UNAVAILABLE");
        }
        assertThat(failedAttempts).as("failed attempts").hasSizeGreaterThan(1);
    }

    @Test
    void bridgeThatAppearsLaterIsReached() throws Exception {
        Path socket = dir.resolve("late.sock");
        AtomicReference<FakeBridge> bridge = new AtomicReference<>();

        try (BridgeClient client = BridgeClient.forSocket(socket)) {
            // The bridge starts only once the first attempt has failed, so that attempt cannot succeed.
            int successfulAttempt = client.pingWithRetries(Duration.ofSeconds(30), ATTEMPT, (attempt, error) -> {
                if (attempt == 1) {
                    try {
                        bridge.set(FakeBridge.start(socket));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });

            assertThat(successfulAttempt).isGreaterThan(1);
            assertThat(bridge.get().pings()).hasSize(1);
        } finally {
            if (bridge.get() != null) {
                bridge.get().close();
            }
        }
    }

    @Test
    void silentBridgeFailsWithinWindow() throws Exception {
        Path socket = dir.resolve("silent.sock");
        List<SocketChannel> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            // Accepts connections and never reads or writes, like a hung bridge.
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(server.accept());
                    }
                } catch (IOException e) {
                    // The server closed at the end of the test.
                }
            });

            long started = System.nanoTime();
            try (BridgeClient client = BridgeClient.forSocket(socket)) {
                assertThatThrownBy(() -> client.pingWithRetries(Duration.ofMillis(1_500), ATTEMPT, (attempt, error) -> { }))
                        .isInstanceOf(BridgeException.class)
                        .hasMessageContaining("DEADLINE_EXCEEDED");
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            // The attempt timeout of 5 s is cut to the window of 1.5 s; 3 s leaves room for a slow machine.
            assertThat(took).as("time until the client gave up").isLessThan(Duration.ofSeconds(3));
        } finally {
            for (SocketChannel channel : accepted) {
                channel.close();
            }
        }
    }

    @Test
    void bridgeWithoutPingFailsWithStatus() throws Exception {
        Path socket = dir.resolve("old.sock");
        try (FakeBridge bridge = FakeBridge.startWithoutPing(socket); BridgeClient client = BridgeClient.forSocket(socket)) {
            assertThatThrownBy(() -> client.ping(ATTEMPT))
                    .isInstanceOf(BridgeException.class)
                    .hasMessageContaining("UNIMPLEMENTED")
                    .hasMessageContaining(socket.toString());
        }
    }
}
