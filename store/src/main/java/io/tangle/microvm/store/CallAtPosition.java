package io.tangle.microvm.store;

import java.util.Objects;

/**
 * A job call with an outcome, and where its event sat on the chain.
 *
 * @param vmId the VM the call named, or {@code null} when its arguments could not be decoded
 * @param blockHash the block hash in lowercase, or {@code null} for outcomes written by a build
 *     older than schema version 2, which did not store it
 */
public record CallAtPosition(long callId, String vmId, String job, long blockNumber, String blockHash, long logIndex) {

    public CallAtPosition {
        Objects.requireNonNull(job, "job");
    }
}
