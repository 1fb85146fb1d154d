package io.tangle.microvm.chain.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waits on a condition, for tests that watch a background thread. */
public final class Conditions {

    private static final Duration CHECK_INTERVAL = Duration.ofMillis(20);

    private Conditions() {
    }

    /**
     * Waits until {@code condition} holds, checking every 20 ms.
     *
     * @throws AssertionError naming {@code description} if it does not hold within {@code timeout}
     */
    public static void awaitTrue(String description, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until " + description);
            }
            Thread.sleep(CHECK_INTERVAL);
        }
    }
}
