package io.tangle.microvm.jobs;

import io.tangle.microvm.store.JobOutcome;
import io.tangle.microvm.store.JobOutcomeStore;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A journal over a {@link JobOutcomeStore} that keeps VM owners in memory. Owners are lost with
 * the process, so use it only where VM state is lost too (tests, runs without a data directory).
 */
public final class OutcomeStoreJournal implements JobJournal {

    private final JobOutcomeStore outcomes;
    private final ConcurrentMap<String, String> owners = new ConcurrentHashMap<>();
    private final ConcurrentMap<Long, String> digests = new ConcurrentHashMap<>();

    public OutcomeStoreJournal(JobOutcomeStore outcomes) {
        this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
    }

    @Override
    public Optional<JobOutcome> find(long callId) {
        return outcomes.find(callId);
    }

    @Override
    public Optional<String> owner(String vmId) {
        return Optional.ofNullable(owners.get(vmId));
    }

    @Override
    public Optional<String> callDigest(long callId) {
        return Optional.ofNullable(digests.get(callId));
    }

    @Override
    public boolean replace(long callId, String reason) {
        digests.remove(callId);
        return outcomes.replace(callId, reason);
    }

    @Override
    public void commit(JobCall call, JobOutcome outcome) {
        outcomes.record(outcome);
        digests.putIfAbsent(call.callId(), CallDigest.of(call));
        if (outcome.status() == JobOutcome.Status.SUCCEEDED && call.jobIndex() == JobIndex.CREATE_VM) {
            owners.putIfAbsent(outcome.vmId(), call.caller());
        }
    }
}
