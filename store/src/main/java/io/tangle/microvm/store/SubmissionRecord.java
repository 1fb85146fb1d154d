package io.tangle.microvm.store;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * The state of submitting one call's result to the chain.
 *
 * @param txHash the hash of the last transaction sent for this result, or {@code null} before
 *     one was sent. Required for {@link Status#SUBMITTED}.
 * @param attempts how many times a transaction was sent for this result
 * @param error why the last attempt failed, or {@code null}. Required for {@link Status#FAILED}.
 */
public record SubmissionRecord(long callId, Status status, String txHash, int attempts, String error, Instant updatedAt) {

    /** The state of a submission. */
    public enum Status {
        /** The result is ready and no transaction for it is known to be on its way. */
        PENDING,
        /** A transaction was sent; its receipt decides the outcome. */
        SUBMITTED,
        /** The chain already has a result for the call, from us or another operator. */
        ALREADY_DONE,
        /** The last attempt failed, and the submitter may try again. */
        FAILED,
        /**
         * The call's block left the chain in a reorganisation, so the result was not sent, because
         * the call id may now belong to another call. Not resent at start-up; the result goes out
         * only if the same call is mined again and delivered anew.
         */
        ORPHANED;

        private final String columnValue = name().toLowerCase(Locale.ROOT);

        String columnValue() {
            return columnValue;
        }

        static Status fromColumnValue(String value) {
            for (Status status : values()) {
                if (status.columnValue.equals(value)) {
                    return status;
                }
            }
            throw new IllegalArgumentException("unknown submission status '" + value + "'");
        }
    }

    public SubmissionRecord {
        ChainValues.requireNotNegative(callId, "callId");
        Objects.requireNonNull(status, "status");
        ChainValues.requireNotNegative(attempts, "attempts");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if ((status == Status.FAILED || status == Status.ORPHANED) && error == null) {
            throw new IllegalArgumentException("a " + status + " submission needs an error: call " + callId);
        }
        if (status == Status.SUBMITTED && txHash == null) {
            throw new IllegalArgumentException("a SUBMITTED submission needs a txHash: call " + callId);
        }
    }
}
