package io.tangle.microvm.chain;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Retry policy for the poller's RPC requests: wait 250 ms times the attempt number, at most 5 s,
 * and retry until the request succeeds or the poller stops. Failures are logged at WARN, and from
 * the fifth consecutive one at ERROR with the count (then every tenth, to bound the log volume).
 */
final class RpcBackoff {

    static final Duration STEP = Duration.ofMillis(250);
    static final Duration MAX_DELAY = Duration.ofSeconds(5);
    static final int ESCALATE_AFTER = 5;

    /** A request that may fail with an {@link RpcException}. */
    interface RpcCall<T> {
        T call() throws RpcException, InterruptedException;
    }

    /** Thrown out of a wait when the poller was asked to stop. */
    static final class StoppedException extends Exception {
        private static final long serialVersionUID = 1L;

        StoppedException() {
            super("stopped", null, false, false);
        }
    }

    private final Logger log;
    private final CountDownLatch stopSignal;
    private final String context;
    private volatile int consecutiveFailures;

    RpcBackoff(Logger log, CountDownLatch stopSignal, String context) {
        this.log = log;
        this.stopSignal = stopSignal;
        this.context = context;
    }

    /** Runs {@code call} until it succeeds. */
    <T> T call(String method, RpcCall<T> call) throws InterruptedException, StoppedException {
        int attempt = 0;
        while (true) {
            try {
                T result = call.call();
                recovered(method, attempt);
                return result;
            } catch (RpcException e) {
                attempt++;
                failed(method, attempt, e);
            }
        }
    }

    /** Logs a failed attempt and waits before the next one. */
    void failed(String method, int attempt, Exception error) throws InterruptedException, StoppedException {
        consecutiveFailures++;
        Duration delay = delayFor(attempt);
        if (attempt < ESCALATE_AFTER) {
            log.warn("{}: {} failed (attempt {}), retrying in {} ms: {}", context, method, attempt, delay.toMillis(), error.getMessage());
        } else if (attempt == ESCALATE_AFTER || attempt % 10 == 0) {
            log.error("{}: {} failed {} times in a row, still retrying every {} ms; check the RPC endpoint: {}",
                    context, method, attempt, delay.toMillis(), error.getMessage());
        } else {
            log.debug("{}: {} failed (attempt {}): {}", context, method, attempt, error.getMessage());
        }
        await(delay);
    }

    /** Logs recovery after failures; call after a success. */
    void recovered(String method, int failedAttempts) {
        if (failedAttempts > 0) {
            log.info("{}: {} succeeded again after {} failed attempts", context, method, failedAttempts);
        }
        consecutiveFailures = 0;
    }

    /** Waits for {@code delay}, returning early with {@link StoppedException} when the poller stops. */
    void await(Duration delay) throws InterruptedException, StoppedException {
        if (stopSignal.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new StoppedException();
        }
    }

    /** Failed attempts since the last successful request. */
    int consecutiveFailures() {
        return consecutiveFailures;
    }

    static Duration delayFor(int attempt) {
        Duration delay = STEP.multipliedBy(Math.max(1, attempt));
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
    }
}
