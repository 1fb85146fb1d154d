package io.tangle.microvm.store;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Outcomes held in memory only, for tests and for runs without a data directory. */
public final class InMemoryJobOutcomeStore implements JobOutcomeStore {

    private final ConcurrentMap<Long, JobOutcome> outcomes = new ConcurrentHashMap<>();

    @Override
    public void record(JobOutcome outcome) {
        outcomes.putIfAbsent(outcome.callId(), outcome);
    }

    @Override
    public Optional<JobOutcome> find(long callId) {
        return Optional.ofNullable(outcomes.get(callId));
    }

    /** Drops the outcome; an in-memory store keeps no record of replaced ones. */
    @Override
    public boolean replace(long callId, String reason) {
        return outcomes.remove(callId) != null;
    }
}
