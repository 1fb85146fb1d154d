package io.tangle.microvm.store;

import java.util.Optional;

/** Job outcomes of one service, keyed by call id. Implementations are thread-safe. */
public interface JobOutcomeStore {

    /** Stores the outcome of a call. A call id that already has an outcome keeps its first one. */
    void record(JobOutcome outcome);

    /** Returns the outcome of a call, or empty when the call has none yet. */
    Optional<JobOutcome> find(long callId);
}
