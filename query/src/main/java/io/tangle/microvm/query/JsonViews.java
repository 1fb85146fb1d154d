package io.tangle.microvm.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.tangle.microvm.runtime.VmView;
import io.tangle.microvm.store.JobOutcome;
import java.math.BigInteger;
import java.util.List;

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
     * succeeded.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"call_id", "job_index", "job", "vm_id", "status", "error"})
    record Job(
            @JsonProperty("call_id") BigInteger callId,
            @JsonProperty("job_index") int jobIndex,
            @JsonProperty("job") String job,
            @JsonProperty("vm_id") String vmId,
            @JsonProperty("status") String status,
            @JsonProperty("error") String error) {

        static Job of(JobOutcome outcome) {
            return new Job(new BigInteger(Long.toUnsignedString(outcome.callId())), outcome.jobIndex(), outcome.job(),
                    outcome.vmId(), outcome.status().wireName(), outcome.error());
        }
    }
}
