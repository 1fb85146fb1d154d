package io.tangle.microvm.chain;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link ResultSubmitter}.
 *
 * @param maxAttempts attempts per result before it is reported as failed (at least 1)
 * @param initialBackoff the wait after the first failed attempt; it doubles after each further one
 * @param maxBackoff the longest wait between attempts
 * @param receiptTimeout how long one attempt waits for the receipt of its transaction
 * @param receiptPollInterval the wait between two receipt requests
 * @param rebroadcastInterval how often the unchanged signed transaction is sent again while its
 *        receipt is missing, in case the node dropped it from its pool
 * @param fallbackGasLimit the gas limit used when the node gives no estimate
 * @param gasLimitPercent the gas limit as a percentage of the estimate, as headroom (at least 100)
 */
public record SubmitterConfig(
        int maxAttempts,
        Duration initialBackoff,
        Duration maxBackoff,
        Duration receiptTimeout,
        Duration receiptPollInterval,
        Duration rebroadcastInterval,
        BigInteger fallbackGasLimit,
        int gasLimitPercent) {

    /** The fallback gas limit of the upstream Tangle SDK's result consumer. */
    public static final BigInteger DEFAULT_FALLBACK_GAS_LIMIT = BigInteger.valueOf(8_000_000);

    public SubmitterConfig {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(receiptTimeout, "receiptTimeout");
        Objects.requireNonNull(receiptPollInterval, "receiptPollInterval");
        Objects.requireNonNull(rebroadcastInterval, "rebroadcastInterval");
        Objects.requireNonNull(fallbackGasLimit, "fallbackGasLimit");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        requirePositive(initialBackoff, "initialBackoff");
        requirePositive(maxBackoff, "maxBackoff");
        requirePositive(receiptTimeout, "receiptTimeout");
        requirePositive(receiptPollInterval, "receiptPollInterval");
        requirePositive(rebroadcastInterval, "rebroadcastInterval");
        if (fallbackGasLimit.signum() <= 0) {
            throw new IllegalArgumentException("fallbackGasLimit must be positive: " + fallbackGasLimit);
        }
        if (gasLimitPercent < 100) {
            throw new IllegalArgumentException("gasLimitPercent must be at least 100: " + gasLimitPercent);
        }
    }

    /** 5 attempts, 1 s to 30 s backoff, 60 s receipt timeout polled every 500 ms, 15 s rebroadcast, 130 % gas. */
    public static SubmitterConfig defaults() {
        return new SubmitterConfig(5, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofMillis(500), Duration.ofSeconds(15), DEFAULT_FALLBACK_GAS_LIMIT, 130);
    }

    public SubmitterConfig withMaxAttempts(int attempts) {
        return new SubmitterConfig(attempts, initialBackoff, maxBackoff, receiptTimeout, receiptPollInterval,
                rebroadcastInterval, fallbackGasLimit, gasLimitPercent);
    }

    public SubmitterConfig withBackoff(Duration initial, Duration max) {
        return new SubmitterConfig(maxAttempts, initial, max, receiptTimeout, receiptPollInterval,
                rebroadcastInterval, fallbackGasLimit, gasLimitPercent);
    }

    public SubmitterConfig withReceiptWait(Duration timeout, Duration pollInterval, Duration rebroadcast) {
        return new SubmitterConfig(maxAttempts, initialBackoff, maxBackoff, timeout, pollInterval,
                rebroadcast, fallbackGasLimit, gasLimitPercent);
    }

    /** Returns the wait after failed attempt number {@code attempt} (1-based). */
    Duration backoffAfter(int attempt) {
        Duration delay = initialBackoff;
        for (int i = 1; i < attempt && delay.compareTo(maxBackoff) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
    }

    private static void requirePositive(Duration value, String name) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
