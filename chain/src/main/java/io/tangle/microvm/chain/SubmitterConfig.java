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
 * @param maxBatchSize the most results sent in one {@code submitResults} transaction; 1 sends
 *        every result in a {@code submitResult} transaction of its own
 * @param maxInFlight the most result transactions being sent or awaited at once; results that
 *        arrive meanwhile wait and then go out together, up to {@code maxBatchSize} per transaction
 */
public record SubmitterConfig(
        int maxAttempts,
        Duration initialBackoff,
        Duration maxBackoff,
        Duration receiptTimeout,
        Duration receiptPollInterval,
        Duration rebroadcastInterval,
        BigInteger fallbackGasLimit,
        int gasLimitPercent,
        int maxBatchSize,
        int maxInFlight) {

    /** The fallback gas limit of the upstream Tangle SDK's result consumer. */
    public static final BigInteger DEFAULT_FALLBACK_GAS_LIMIT = BigInteger.valueOf(8_000_000);

    /**
     * Results per batch by default. On the local contract a batch of 10 used 557,061 gas, so a
     * batch of 50 needs about 2.7 million, far below the usual block gas limit of 30 million. The
     * real contract does more work per result (staking check, manager hooks, payments).
     */
    public static final int DEFAULT_MAX_BATCH_SIZE = 50;

    /** Result transactions in flight by default. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 8;

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
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1: " + maxBatchSize);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1: " + maxInFlight);
        }
    }

    /**
     * 5 attempts, 1 s to 30 s backoff, 60 s receipt timeout polled every 500 ms, 15 s rebroadcast,
     * 130 % gas, batches of up to 50 results, 8 transactions in flight.
     */
    public static SubmitterConfig defaults() {
        return new SubmitterConfig(5, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofMillis(500), Duration.ofSeconds(15), DEFAULT_FALLBACK_GAS_LIMIT, 130,
                DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_IN_FLIGHT);
    }

    public SubmitterConfig withMaxAttempts(int attempts) {
        return new SubmitterConfig(attempts, initialBackoff, maxBackoff, receiptTimeout, receiptPollInterval,
                rebroadcastInterval, fallbackGasLimit, gasLimitPercent, maxBatchSize, maxInFlight);
    }

    public SubmitterConfig withBackoff(Duration initial, Duration max) {
        return new SubmitterConfig(maxAttempts, initial, max, receiptTimeout, receiptPollInterval,
                rebroadcastInterval, fallbackGasLimit, gasLimitPercent, maxBatchSize, maxInFlight);
    }

    public SubmitterConfig withReceiptWait(Duration timeout, Duration pollInterval, Duration rebroadcast) {
        return new SubmitterConfig(maxAttempts, initialBackoff, maxBackoff, timeout, pollInterval,
                rebroadcast, fallbackGasLimit, gasLimitPercent, maxBatchSize, maxInFlight);
    }

    /** Returns this configuration with other batch and in-flight limits; a batch size of 1 turns batching off. */
    public SubmitterConfig withBatching(int batchSize, int inFlight) {
        return new SubmitterConfig(maxAttempts, initialBackoff, maxBackoff, receiptTimeout, receiptPollInterval,
                rebroadcastInterval, fallbackGasLimit, gasLimitPercent, batchSize, inFlight);
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
