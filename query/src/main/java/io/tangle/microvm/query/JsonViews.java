package io.tangle.microvm.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.tangle.microvm.runtime.VmView;
import io.tangle.microvm.store.JobOutcome;
import io.tangle.microvm.store.SubmissionRecord;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;

/** The JSON shapes of the query API, with field names and order fixed here rather than by the domain types. */
final class JsonViews {

    private JsonViews() {
    }

    /** A VM: the upstream fields first, then {@code owner} and {@code detail} only when known. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"vm_id", "status", "snapshots", "owner", "detail"})
    record Vm(
            @JsonProperty("vm_id") String vmId,
            @JsonProperty("status") String status,
            @JsonProperty("snapshots") List<String> snapshots,
            @JsonProperty("owner") String owner,
            @JsonProperty("detail") String detail) {

        static Vm of(VmView view) {
            return new Vm(view.vmId(), view.status().wireName(), view.snapshots(), view.owner(), view.detail());
        }
    }

    /**
     * A job outcome. {@code call_id} is a {@code uint64}, so it is written from its unsigned value;
     * {@code vm_id} is left out when the input did not decode that far, {@code error} when the job
     * succeeded. {@code submission}, {@code result_tx}, {@code submission_attempts} and
     * {@code submission_error} describe the result transaction once the operator has tried to send it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"call_id", "job_index", "job", "vm_id", "status", "error", "submission", "result_tx",
        "submission_attempts", "submission_error"})
    record Job(
            @JsonProperty("call_id") BigInteger callId,
            @JsonProperty("job_index") int jobIndex,
            @JsonProperty("job") String job,
            @JsonProperty("vm_id") String vmId,
            @JsonProperty("status") String status,
            @JsonProperty("error") String error,
            @JsonProperty("submission") String submission,
            @JsonProperty("result_tx") String resultTx,
            @JsonProperty("submission_attempts") Integer submissionAttempts,
            @JsonProperty("submission_error") String submissionError) {

        static Job of(JobOutcome outcome) {
            return of(outcome, null);
        }

        static Job of(JobOutcome outcome, SubmissionRecord submission) {
            return new Job(new BigInteger(Long.toUnsignedString(outcome.callId())), outcome.jobIndex(), outcome.job(),
                    outcome.vmId(), outcome.status().wireName(), outcome.error(),
                    submission == null ? null : submission.status().name().toLowerCase(Locale.ROOT),
                    submission == null ? null : submission.txHash(),
                    submission == null ? null : submission.attempts(),
                    submission == null ? null : submission.error());
        }
    }
}
