package io.tangle.microvm.chain;

import java.util.Objects;

/**
 * The outcome of submitting one result with {@code submitResult}.
 *
 * @param transactionHash the hash of the last transaction sent for the call, or null when none was sent
 * @param attempts how many attempts were made, counting the successful one
 * @param error why the submission failed, or null unless the status is {@link Status#FAILED} or
 *     {@link Status#ORPHANED}
 */
public record SubmissionResult(long serviceId, long callId, Status status, String transactionHash, int attempts, String error) {

    /** The end state of a submission. */
    public enum Status {
        /** This operator's result was mined in a successful transaction. */
        SUBMITTED,
        /**
         * The call needs no result from this operator any more: the contract reports it completed
         * ({@code JobAlreadyCompleted}) or already contains this operator's result ({@code ResultAlreadySubmitted}).
         */
        ALREADY_DONE,
        /** Every attempt failed. {@code error} gives the reason. */
        FAILED,
        /**
         * The block that announced the call left the chain, so no result was sent in this
         * submission and none should be: the call id may belong to another call now.
         * {@code error} gives the details.
         */
        ORPHANED
    }

    public SubmissionResult {
        Objects.requireNonNull(status, "status");
        boolean needsError = status == Status.FAILED || status == Status.ORPHANED;
        if (needsError != (error != null)) {
            throw new IllegalArgumentException("a FAILED or ORPHANED submission needs an error and any other none: call "
                    + callId);
        }
    }
}
