package io.tangle.microvm.app.operator;

import java.time.Duration;

/** Waits for a condition with a bounded deadline, checking it every 50 ms. */
final class Conditions {

    /** A condition whose check may fail with an exception, which counts as not yet true. */
    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Conditions() {
    }

    static void await(Check check) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("condition not met within " + TIMEOUT.toSeconds() + " s", last);
    }
}
