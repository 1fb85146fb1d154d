package io.tangle.microvm.app.operator;

import io.tangle.microvm.query.QuerySources;
import io.tangle.microvm.query.QueryUnavailableException;
import io.tangle.microvm.runtime.VmQuery;
import io.tangle.microvm.runtime.VmView;
import io.tangle.microvm.store.JobOutcome;
import io.tangle.microvm.store.JobOutcomeStore;
import io.tangle.microvm.store.SubmissionRecord;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The data behind the query API, which exists only once the operator has opened its service's
 * state, and that needs the chain id. The query API starts before that, so that a supervisor can
 * probe the process while the operator waits for its RPC endpoint. Until {@link #attach} runs,
 * {@code /readyz} reports the start-up phase, and the data routes respond with 503 and that phase.
 */
final class LateQueryBackends {

    private record Backends(VmQuery vms, JobOutcomeStore outcomes, QuerySources sources) {
    }

    private volatile Backends backends;
    private volatile String phase = "starting";

    /** Sets what the operator is doing before {@link #attach}, such as waiting for the RPC endpoint. */
    void phase(String phase) {
        this.phase = Objects.requireNonNull(phase, "phase");
    }

    /** Connects the query API to the operator's data; every request after this call reads it. */
    void attach(VmQuery vms, JobOutcomeStore outcomes, QuerySources sources) {
        backends = new Backends(Objects.requireNonNull(vms, "vms"), Objects.requireNonNull(outcomes, "outcomes"),
                Objects.requireNonNull(sources, "sources"));
    }

    VmQuery vms() {
        return new VmQuery() {
            @Override
            public List<VmView> listVms() {
                return current().vms().listVms();
            }

            @Override
            public Optional<VmView> getVm(String vmId) {
                return current().vms().getVm(vmId);
            }

            @Override
            public Optional<List<String>> listSnapshots(String vmId) {
                return current().vms().listSnapshots(vmId);
            }
        };
    }

    JobOutcomeStore outcomes() {
        return new JobOutcomeStore() {
            @Override
            public void record(JobOutcome outcome) {
                current().outcomes().record(outcome);
            }

            @Override
            public Optional<JobOutcome> find(long callId) {
                return current().outcomes().find(callId);
            }

            @Override
            public boolean replace(long callId, String reason) {
                return current().outcomes().replace(callId, reason);
            }
        };
    }

    QuerySources sources() {
        return new QuerySources(this::readiness,
                vmId -> current().sources().consoles().consoleTail(vmId),
                this::findSubmission);
    }

    private QuerySources.Readiness readiness() {
        Backends attached = backends;
        if (attached == null) {
            return new QuerySources.Readiness(false, "starting: " + phase);
        }
        return attached.sources().readiness().check();
    }

    private Optional<SubmissionRecord> findSubmission(long callId) {
        return current().sources().submissions().findSubmission(callId);
    }

    private Backends current() {
        Backends attached = backends;
        if (attached == null) {
            throw new QueryUnavailableException("the operator is starting (" + phase + "); try again once GET /readyz"
                    + " no longer reports it starting");
        }
        return attached;
    }
}
