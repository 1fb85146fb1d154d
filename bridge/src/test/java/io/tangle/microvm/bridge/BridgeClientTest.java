package io.tangle.microvm.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
                    .hasMessageContaining("did not respond to a ping within 1200 ms")
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
