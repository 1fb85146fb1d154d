package io.tangle.microvm.store;

import java.time.Instant;
import java.util.Objects;

/**
 * The recorded result of one job call of this service.
 *
 * @param job the job name, such as {@code create_vm}, or {@code unknown} for an index without a job
 * @param vmId the VM the call named, or {@code null} when its arguments could not be decoded
 * @param error the error message when the call failed, otherwise {@code null}
 */
public record JobOutcome(long callId, int jobIndex, String job, String vmId, Status status, String error, Instant recordedAt) {

    /** Whether the job did what it asked. */
    public enum Status {
        SUCCEEDED,
        FAILED;

        public String wireName() {
            return this == SUCCEEDED ? "succeeded" : "failed";
        }
    }

    public JobOutcome {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(recordedAt, "recordedAt");
        if ((status == Status.FAILED) != (error != null)) {
            throw new IllegalArgumentException("a failed outcome needs an error and a successful one none: call " + callId);
        }
    }

    public static JobOutcome succeeded(long callId, int jobIndex, String job, String vmId, Instant at) {
        return new JobOutcome(callId, jobIndex, job, vmId, Status.SUCCEEDED, null, at);
    }

    public static JobOutcome failed(long callId, int jobIndex, String job, String vmId, String error, Instant at) {
        return new JobOutcome(callId, jobIndex, job, vmId, Status.FAILED, error, at);
    }
}
