package io.tangle.microvm.chain;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Settings of a {@link JobEventPoller}.
 *
 * @param contractAddress the Tangle core contract to watch
 * @param serviceId the service whose job calls to deliver
 * @param operatorAddress this operator's address; {@code JobSubmittedFromQuote} calls that did not
 *        quote it are skipped
 * @param start where to begin: everything at or before this position counts as handed on already
 * @param startBlockHash the hash of {@code start.block()} when known (for example stored with a
 *        persisted cursor), so a reorganisation while the operator was down is detected; or null
 * @param pollInterval the wait between polls once caught up with the chain head
 * @param maxBlockRange the largest block range of one {@code eth_getLogs} request; halved for the
 *        rest of the run when the node rejects a range
 * @param confirmations how many blocks below the head to stay; 0 processes the head block itself
 */
public record PollerConfig(
        String contractAddress,
        long serviceId,
        String operatorAddress,
        PollCursor start,
        String startBlockHash,
        Duration pollInterval,
        int maxBlockRange,
        int confirmations) {

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

    /**
     * Hosted RPC endpoints cap the block range of {@code eth_getLogs}, some at a few thousand blocks
     * or less, so the default is conservative. The poller halves it when a node still rejects a range.
     */
    public static final int DEFAULT_MAX_BLOCK_RANGE = 1000;

    public PollerConfig {
        Objects.requireNonNull(contractAddress, "contractAddress");
        Objects.requireNonNull(operatorAddress, "operatorAddress");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (serviceId < 0) {
            throw new IllegalArgumentException("serviceId must not be negative: " + serviceId);
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive: " + pollInterval);
        }
        if (maxBlockRange < 1) {
            throw new IllegalArgumentException("maxBlockRange must be at least 1: " + maxBlockRange);
        }
        if (confirmations < 0) {
            throw new IllegalArgumentException("confirmations must not be negative: " + confirmations);
        }
        contractAddress = contractAddress.toLowerCase(Locale.ROOT);
        operatorAddress = operatorAddress.toLowerCase(Locale.ROOT);
        startBlockHash = startBlockHash == null ? null : startBlockHash.toLowerCase(Locale.ROOT);
    }

    /** Settings that scan from {@code firstBlock} with the default interval, range and no confirmations. */
    public static PollerConfig startingAt(String contractAddress, long serviceId, String operatorAddress, long firstBlock) {
        return new PollerConfig(contractAddress, serviceId, operatorAddress, PollCursor.beforeBlock(firstBlock), null,
                DEFAULT_POLL_INTERVAL, DEFAULT_MAX_BLOCK_RANGE, 0);
    }

    public PollerConfig withStart(PollCursor newStart, String newStartBlockHash) {
        return new PollerConfig(contractAddress, serviceId, operatorAddress, newStart, newStartBlockHash,
                pollInterval, maxBlockRange, confirmations);
    }

    public PollerConfig withPollInterval(Duration interval) {
        return new PollerConfig(contractAddress, serviceId, operatorAddress, start, startBlockHash,
                interval, maxBlockRange, confirmations);
    }

    public PollerConfig withMaxBlockRange(int range) {
        return new PollerConfig(contractAddress, serviceId, operatorAddress, start, startBlockHash,
                pollInterval, range, confirmations);
    }

    public PollerConfig withConfirmations(int depth) {
        return new PollerConfig(contractAddress, serviceId, operatorAddress, start, startBlockHash,
                pollInterval, maxBlockRange, depth);
    }
}
