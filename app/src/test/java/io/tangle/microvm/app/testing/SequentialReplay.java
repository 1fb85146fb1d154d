package io.tangle.microvm.app.testing;

import io.tangle.microvm.chain.JobSubmittedEvent;
import io.tangle.microvm.jobs.JobCall;
import io.tangle.microvm.jobs.JobExecution;
import io.tangle.microvm.jobs.JobIndex;
import io.tangle.microvm.jobs.JobRunner;
import io.tangle.microvm.jobs.OutcomeStoreJournal;
import io.tangle.microvm.jobs.OwnerCheck;
import io.tangle.microvm.runtime.VmView;
import io.tangle.microvm.runtime.inmemory.InMemoryVmProvider;
import io.tangle.microvm.store.InMemoryJobOutcomeStore;
import io.tangle.microvm.store.JobOutcome;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference result of a stream of job calls: each call applied one after another, in chain
 * order, by a {@link JobRunner} on a fresh {@link InMemoryVmProvider}. An operator that is exactly
 * once and ordered per VM must end with the same outcomes and VM states, whatever faults it met.
 *
 * @param outcomes the outcome of every call that has one, by call id
 * @param vms every VM at the end, sorted by id
 * @param owners the creator of each VM, by VM id
 */
public record SequentialReplay(Map<Long, JobOutcome> outcomes, List<VmView> vms, Map<String, String> owners) {

    /** Replays {@code calls}, which must be in chain order. */
    public static SequentialReplay of(List<JobSubmittedEvent> calls, OwnerCheck ownerCheck) {
        InMemoryVmProvider provider = new InMemoryVmProvider();
        InMemoryJobOutcomeStore store = new InMemoryJobOutcomeStore();
        JobRunner runner = new JobRunner(provider, new OutcomeStoreJournal(store), ownerCheck, Clock.systemUTC());

        Map<Long, JobOutcome> outcomes = new LinkedHashMap<>();
        Map<String, String> owners = new HashMap<>();
        for (JobSubmittedEvent event : calls) {
            JobCall call = toCall(event);
            JobExecution execution = runner.run(call);
            if (execution instanceof JobExecution.Ignored) {
                continue;
            }

            JobOutcome outcome = store.find(call.callId()).orElseThrow(() -> new AssertionError(
                    "the replay recorded no outcome for call " + call.callId() + ", which returned " + execution));
            outcomes.put(call.callId(), outcome);
            if (call.jobIndex() == JobIndex.CREATE_VM && outcome.status() == JobOutcome.Status.SUCCEEDED) {
                owners.put(outcome.vmId(), call.caller());
            }
        }
        return new SequentialReplay(Map.copyOf(outcomes), provider.listVms(), Map.copyOf(owners));
    }

    /** Returns the call the operator builds from a chain event. */
    public static JobCall toCall(JobSubmittedEvent event) {
        return new JobCall(event.serviceId(), event.callId(), event.jobIndex(), event.caller(), event.inputs(),
                event.blockNumber(), event.logIndex(), event.blockHash());
    }

    /** Returns how many replayed calls succeeded. */
    public long succeededCount() {
        return outcomes.values().stream().filter(outcome -> outcome.status() == JobOutcome.Status.SUCCEEDED).count();
    }
}
