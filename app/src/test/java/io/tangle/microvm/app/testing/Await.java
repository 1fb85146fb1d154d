package io.tangle.microvm.app.testing;

import java.time.Duration;
import java.util.Optional;

/**
 * Bounded waits for conditions that other threads or processes make true. Each check runs every
 * 50 ms until it is true or the timeout passes, which fails the test with the description.
 */
public final class Await {

    private static final Duration CHECK_INTERVAL = Duration.ofMillis(50);

    /** A condition whose check may throw, which counts as not yet true. */
    @FunctionalInterface
    public interface Check {
        boolean holds() throws Exception;
    }

    /** A lookup that returns empty until the value exists; an exception counts as empty. */
    @FunctionalInterface
    public interface Lookup<T> {
        Optional<T> find() throws Exception;
    }

    private Await() {
    }

    /**
     * Waits until {@code check} is true.
     *
     * @throws AssertionError naming {@code description} and the last exception when the timeout passes
     */
    public static void until(String description, Duration timeout, Check check) throws InterruptedException {
        value(description, timeout, () -> check.holds() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /**
     * Waits until {@code lookup} finds a value and returns it.
     *
     * @throws AssertionError naming {@code description} and the last exception when the timeout passes
     */
    public static <T> T value(String description, Duration timeout, Lookup<T> lookup) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                Optional<T> found = lookup.find();
                if (found.isPresent()) {
                    return found.get();
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + description, last);
            }
            Thread.sleep(CHECK_INTERVAL);
        }
    }
}
