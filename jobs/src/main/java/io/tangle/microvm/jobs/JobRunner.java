package io.tangle.microvm.jobs;

import io.tangle.microvm.runtime.VmProvider;
import io.tangle.microvm.runtime.VmRuntimeException;
import io.tangle.microvm.store.JobOutcome;
import io.tangle.microvm.store.JobOutcomeStore;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job call: decodes it, applies it to the provider, records the outcome and returns
 * what to send back.
 *
 * <p>A call id is applied at most once: when the store already has an outcome for it, {@link #run}
 * returns that outcome without touching the provider. This makes a call that the chain delivers
 * twice, or that is replayed after a restart, safe. Callers apply calls for one VM one at a time
 * (see {@link JobDispatcher}), because the runner itself takes no lock.
 *
 * <p>Call ids count up per service, so after a reorganisation a different call can take the id of
 * a call that left the chain. When the stored outcome belongs to another call (another job, VM,
 * caller or arguments, see {@link CallDigest}), the runner sets that outcome aside in the journal as replaced and logs both calls at ERROR. Then
 * it applies the new call like any other, because the chain now has that call under the id. The
 * effect of the old call on its VM stays, because nothing can undo it.
 */
public final class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final VmProvider provider;
    private final JobJournal journal;
    private final OwnerCheck ownerCheck;
    private final Clock clock;

    /** Creates a runner that records outcomes in {@code outcomes} and lets any caller act on any VM. */
    public JobRunner(VmProvider provider, JobOutcomeStore outcomes, Clock clock) {
        this(provider, new OutcomeStoreJournal(outcomes), OwnerCheck.DISABLED, clock);
    }

    public JobRunner(VmProvider provider, JobJournal journal, OwnerCheck ownerCheck, Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.journal = Objects.requireNonNull(journal, "journal");
        this.ownerCheck = Objects.requireNonNull(ownerCheck, "ownerCheck");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Runs {@code call} and records its outcome.
     *
     * <p>Returns {@link JobExecution.Ignored} for an index with no job, or for a call whose id has a
     * stored outcome of another call that could not be set aside, and records nothing.
     * Otherwise returns {@link JobExecution.Succeeded} with {@link JobResults#abiTrue()} or
     * {@link JobExecution.Failed} with the error: the decoder's message for bad input, the
     * provider's message for a rejected operation, or a description of an unexpected exception.
     * A call whose outcome cannot be recorded still returns its execution, and the store error is
     * logged.
     *
     * @throws RuntimeException only when the store fails to look up the call id
     */
    public JobExecution run(JobCall call) {
        Objects.requireNonNull(call, "call");

        Optional<JobOutcome> previous = journal.find(call.callId());
        if (previous.isPresent()) {
            Optional<String> conflict = conflict(call, previous.get(), journal.callDigest(call.callId()));
            if (conflict.isEmpty()) {
                return replay(call, previous.get());
            }
            if (!replaceOutcome(call, conflict.get())) {
                return new JobExecution.Ignored();
            }
        }

        Job job;
        try {
            Optional<Job> decoded = JobInputDecoder.decode(call.jobIndex(), call.inputs());
            if (decoded.isEmpty()) {
                log.warn("job call {} has job index {}, which has no job; ignoring it",
                        callId(call), call.jobIndex());
                return new JobExecution.Ignored();
            }
            job = decoded.get();
        } catch (JobInputException e) {
            // The message starts with the job name.
            String vmId = e.vmId().orElse(null);
            if (vmId == null) {
                log.warn("job call {} failed: {}", callId(call), e.getMessage());
            } else {
                log.warn("job call {} for vm {} failed: {}", callId(call), vmId, e.getMessage());
            }
            return fail(call, vmId, e.getMessage());
        }

        return apply(call, job);
    }

    private JobExecution apply(JobCall call, Job job) {
        Optional<String> foreignOwner = foreignOwner(call, job);
        if (foreignOwner.isPresent()) {
            String error = "caller " + call.caller() + " is not the owner of vm '" + job.vmId() + "': only "
                    + foreignOwner.get() + " may run " + job.name() + " on it";
            log.warn("job call {} {} for vm {} rejected: {}", callId(call), job.name(), job.vmId(), error);
            return fail(call, job.vmId(), error);
        }

        // NOTE: the provider acts before the journal commits. The in-memory provider restarts from
        // the journal, so a kill between the two loses the action and its replay applies it once.
        // The qemu and firecracker providers keep their own state, so there the replay finds the
        // action already done and is recorded as failed by the transition rules.
        try {
            perform(job);
        } catch (VmRuntimeException e) {
            log.warn("job call {} {} for vm {} failed: {}", callId(call), job.name(), job.vmId(), e.getMessage());
            return fail(call, job.vmId(), e.getMessage());
        } catch (RuntimeException e) {
            // Providers report their failures as VmRuntimeException, so anything else is a bug.
            String error = "unexpected provider failure: " + describe(e);
            log.error("job call {} {} for vm {} failed: {}", callId(call), job.name(), job.vmId(), error, e);
            return fail(call, job.vmId(), error);
        }

        log.info("job call {} {} for vm {} succeeded", callId(call), job.name(), job.vmId());
        record(call, JobOutcome.succeeded(call.callId(), call.jobIndex(), job.name(), job.vmId(), clock.instant()));
        return new JobExecution.Succeeded(JobResults.abiTrue());
    }

    /** Returns the VM's owner when the check is on and the caller is someone else. */
    private Optional<String> foreignOwner(JobCall call, Job job) {
        if (ownerCheck == OwnerCheck.DISABLED || job instanceof Job.CreateVm) {
            return Optional.empty();
        }
        return journal.owner(job.vmId()).filter(owner -> !owner.equalsIgnoreCase(call.caller()));
    }

    private void perform(Job job) {
        switch (job) {
            case Job.CreateVm create -> provider.createVm(create.vmId());
            case Job.StartVm start -> provider.startVm(start.vmId());
            case Job.StopVm stop -> provider.stopVm(stop.vmId());
            case Job.SnapshotVm snapshot -> provider.snapshotVm(snapshot.vmId(), snapshot.snapshotId());
            case Job.DestroyVm destroy -> provider.destroyVm(destroy.vmId());
            case Job.RestoreVm restore -> provider.restoreVm(restore.vmId(), restore.snapshotId());
        }
    }

    /**
     * Sets aside the outcome of the call that held the id before a reorganisation; returns whether
     * the new call may be applied. A journal that cannot set it aside leaves the new call unapplied.
     */
    private boolean replaceOutcome(JobCall call, String conflict) {
        try {
            journal.replace(call.callId(), conflict);
        } catch (RuntimeException e) {
            log.error("job call {} {} is not applied and gets no result: {}; setting the old outcome aside failed",
                    callId(call), call.jobName(), conflict, e);
            return false;
        }
        log.error("job call {} {} is applied as a new call: {}. The old outcome is kept as replaced, and the old call's"
                + " effect on its VM stays", callId(call), call.jobName(), conflict);
        return true;
    }

    private JobExecution fail(JobCall call, String vmId, String error) {
        record(call, JobOutcome.failed(call.callId(), call.jobIndex(), call.jobName(), vmId, error, clock.instant()));
        return new JobExecution.Failed(error);
    }

    /**
     * Returns why a stored outcome cannot belong to {@code call}, or empty when it can.
     *
     * <p>NOTE: outcomes recorded by builds before schema version 5 have no call digest. For them only
     * the job and the VM are compared, so a different call with the same job on the same VM (another
     * snapshot name, another caller) is taken for the stored one.
     */
    private static Optional<String> conflict(JobCall call, JobOutcome stored, Optional<String> storedDigest) {
        String vmId = vmIdOf(call);
        if (stored.jobIndex() != call.jobIndex() || !Objects.equals(stored.vmId(), vmId)) {
            return Optional.of("its id already has an outcome for " + stored.job() + " on vm " + stored.vmId()
                    + ", but the chain now has " + call.jobName() + " on vm " + vmId + " under that id. A"
                    + " reorganisation probably gave the id of a call that left the chain to this new call");
        }
        if (storedDigest.isPresent() && !storedDigest.get().equals(CallDigest.of(call))) {
            return Optional.of("its id already has an outcome for " + stored.job() + " on vm " + stored.vmId()
                    + " from a call with other arguments or another caller. A reorganisation probably gave the id of a"
                    + " call that left the chain to this new call");
        }
        return Optional.empty();
    }

    /** Returns the VM id the call names, as the runner records it, or null when its input does not name one. */
    private static String vmIdOf(JobCall call) {
        try {
            return JobInputDecoder.decode(call.jobIndex(), call.inputs()).map(Job::vmId).orElse(null);
        } catch (JobInputException e) {
            return e.vmId().orElse(null);
        }
    }

    private JobExecution replay(JobCall call, JobOutcome outcome) {
        log.info("job call {} {} already has a {} outcome; returning it without applying the job again",
                callId(call), outcome.job(), outcome.status().wireName());
        return switch (outcome.status()) {
            case SUCCEEDED -> new JobExecution.Succeeded(JobResults.abiTrue());
            case FAILED -> new JobExecution.Failed(outcome.error());
        };
    }

    private void record(JobCall call, JobOutcome outcome) {
        try {
            journal.commit(call, outcome);
        } catch (RuntimeException e) {
            // The job has already been applied, so its execution is still returned. A replay of
            // this call id would run it again.
            log.error("job call {} {}: could not record the {} outcome", Long.toUnsignedString(outcome.callId()),
                    outcome.job(), outcome.status().wireName(), e);
        }
    }

    private static String describe(RuntimeException e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getName() : e.getClass().getName() + ": " + message;
    }

    private static String callId(JobCall call) {
        return Long.toUnsignedString(call.callId());
    }
}
