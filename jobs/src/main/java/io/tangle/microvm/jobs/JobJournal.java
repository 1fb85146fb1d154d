package io.tangle.microvm.jobs;

import io.tangle.microvm.store.JobOutcome;
import java.util.Optional;

/**
 * The runner's record: the outcome of each call and the owner of each VM. A durable journal
 * makes a restarted operator skip calls it already applied.
 */
public interface JobJournal {

    /** Returns the outcome of a call, or empty when the call has none yet. */
    Optional<JobOutcome> find(long callId);

    /**
     * Returns the {@link CallDigest} of the call whose outcome the id has, or empty when the id has
     * no outcome or the journal keeps no digest for it (outcomes recorded by older builds).
     */
    Optional<String> callDigest(long callId);

    /** Returns the address that created the VM, or empty when the VM is unknown or has no recorded owner. */
    Optional<String> owner(String vmId);

    /**
     * Records the outcome of {@code call}. A durable journal writes the outcome together with the
     * state of the VM it names, in one transaction, and keeps the first outcome of a call id.
     */
    void commit(JobCall call, JobOutcome outcome);

    /**
     * Sets aside the outcome stored under a call id that a different call took after a
     * reorganisation, with {@code reason}, so that the new call can be committed under the id.
     *
     * @return whether the id had an outcome
     */
    boolean replace(long callId, String reason);
}
