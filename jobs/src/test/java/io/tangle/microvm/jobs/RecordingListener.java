package io.tangle.microvm.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/** Records completed calls in arrival order and lets a test wait for them with a deadline. */
final class RecordingListener implements JobCompletionListener {

    record Completion(JobCall call, JobExecution execution) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final List<Completion> completions = new ArrayList<>();

    @Override
    public void onCompleted(JobCall call, JobExecution execution) {
        lock.lock();
        try {
            completions.add(new Completion(call, execution));
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    List<Completion> completions() {
        lock.lock();
        try {
            return List.copyOf(completions);
        } finally {
            lock.unlock();
        }
    }

    /** Returns whether call {@code callId} has completed at least once. */
    boolean completed(long callId) {
        return completions().stream().anyMatch(c -> c.call().callId() == callId);
    }

    /** Returns the execution of call {@code callId}, waiting for it up to {@code timeout}. */
    JobExecution await(long callId, Duration timeout) throws InterruptedException {
        awaitUntil(list -> list.stream().anyMatch(c -> c.call().callId() == callId), timeout,
                "job call " + callId + " to complete");
        return completions().stream().filter(c -> c.call().callId() == callId).findFirst().orElseThrow().execution();
    }

    /** Waits until {@code count} completions have arrived. */
    void awaitCount(int count, Duration timeout) throws InterruptedException {
        awaitUntil(list -> list.size() >= count, timeout, count + " completions");
    }

    private void awaitUntil(Predicate<List<Completion>> condition, Duration timeout, String what)
            throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!condition.test(completions)) {
                if (left <= 0) {
                    throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                            + "; completed so far: " + completions.stream().map(c -> c.call().callId()).toList());
                }
                left = arrived.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }
}
