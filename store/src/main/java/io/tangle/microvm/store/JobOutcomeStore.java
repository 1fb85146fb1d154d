package io.tangle.microvm.store;

import java.util.Optional;

/** Job outcomes of one service, keyed by call id. Implementations are thread-safe. */
public interface JobOutcomeStore {

    /** Stores the outcome of a call. A call id that already has an outcome keeps its first one. */
    void record(JobOutcome outcome);

    /** Returns the outcome of a call, or empty when the call has none yet. */
    Optional<JobOutcome> find(long callId);

    /**
     * Sets aside the outcome of a call whose id a different call took after a reorganisation, so
     * that the new call can be recorded under the id. A durable store keeps the old outcome on
     * record with {@code reason} and drops the call's result submission, which belonged to the old call.
     *
     * @return whether the call had an outcome
     */
    boolean replace(long callId, String reason);
}
