package io.tangle.microvm.jobs;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs job calls in chain order per VM and concurrently across VMs.
 *
 * <p>Each VM with work has a lane: a FIFO queue and one worker task that runs the lane's calls one
 * at a time through the {@link JobRunner} and hands each result to the
 * {@link JobCompletionListener}. The worker ends when its queue is empty, so an idle VM has no
 * thread. A slow call delays later calls for the same VM only. Calls whose input cannot be
 * decoded, and calls with an index that has no job, need no ordering: each runs at once in its own
 * task, where the runner records the failure or ignores the call.
 *
 * <p>The dispatcher holds its lock only to change queues and counters, never while a job runs.
 */
public final class JobDispatcher {

    private static final Logger log = LoggerFactory.getLogger(JobDispatcher.class);

    private final JobRunner runner;
    private final JobCompletionListener listener;
    private final Executor executor;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    /** Queued calls per VM id. A VM has an entry exactly while its worker runs. */
    private final Map<String, ArrayDeque<JobCall>> lanes = new HashMap<>();
    /**
     * Calls that a task has taken and not yet finished, compared by identity because a redelivered
     * call equals the first delivery.
     */
    private final Set<JobCall> running = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Calls accepted and not yet finished, queued ones included. */
    private int unfinished;
    private boolean closed;
    /** Set when {@link #close} gave up waiting: workers then drop their queued calls. */
    private boolean abandoned;

    /** Creates a dispatcher that runs each lane on a new virtual thread. */
    public JobDispatcher(JobRunner runner, JobCompletionListener listener) {
        this(runner, listener, task -> Thread.ofVirtual().name("job-lane").start(task));
    }

    /**
     * Creates a dispatcher that runs lanes on {@code executor}. The executor must start each task
     * without waiting for earlier ones to finish, or a slow VM would delay the others.
     */
    public JobDispatcher(JobRunner runner, JobCompletionListener listener, Executor executor) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * Accepts a call without waiting for any job. Calls for the same VM run in the order they are
     * submitted here, so submit in chain order.
     *
     * @throws IllegalStateException after {@link #close}, or when the executor rejects the task
     */
    public void submit(JobCall call) {
        Objects.requireNonNull(call, "call");
        Optional<String> vmId = laneOf(call);

        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("job dispatcher is closed: job call "
                        + Long.toUnsignedString(call.callId()) + " was not accepted");
            }

            if (vmId.isEmpty()) {
                start(() -> runAlone(call), call, null);
            } else if (lanes.containsKey(vmId.get())) {
                lanes.get(vmId.get()).addLast(call);
            } else {
                lanes.put(vmId.get(), new ArrayDeque<>());
                start(() -> runLane(vmId.get(), call), call, vmId.get());
            }
            unfinished++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops accepting calls and waits up to {@code timeout} for queued and running calls to
     * finish. When the wait times out, the calls still queued are dropped without running and are
     * logged, and running calls are left to finish on their own.
     *
     * @return whether every accepted call finished
     */
    public boolean close(Duration timeout) {
        long remaining = timeout.toNanos();
        List<String> left = new ArrayList<>();

        lock.lock();
        try {
            closed = true;
            while (unfinished > 0 && remaining > 0) {
                remaining = drained.awaitNanos(remaining);
            }
            if (unfinished == 0) {
                log.info("job dispatcher closed: every accepted call finished");
                return true;
            }

            abandoned = true;
            running.forEach(call -> left.add(describe(call) + " (running)"));
            lanes.values().forEach(queue -> queue.forEach(call -> left.add(describe(call) + " (queued)")));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandoned = true;
            log.warn("job dispatcher close was interrupted with {} calls unfinished", unfinished);
            return false;
        } finally {
            lock.unlock();
        }

        log.warn("job dispatcher closed after {} ms with {} calls unfinished; queued calls will not run: {}",
                TimeUnit.NANOSECONDS.toMillis(timeout.toNanos()), left.size(), String.join(", ", left));
        return false;
    }

    /** Returns the VM whose lane the call joins, or empty when it needs no lane. */
    private static Optional<String> laneOf(JobCall call) {
        try {
            return JobInputDecoder.decode(call.jobIndex(), call.inputs()).map(Job::vmId);
        } catch (JobInputException e) {
            return Optional.empty();
        }
    }

    /**
     * Starts a task for {@code call}, and for the rest of its lane when {@code vmId} is not null.
     * Called with the lock held, so that a rejection can be undone before another thread observes
     * the lane.
     */
    private void start(Runnable task, JobCall call, String vmId) {
        running.add(call);
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            running.remove(call);
            if (vmId != null) {
                lanes.remove(vmId);
            }
            throw new IllegalStateException("job call " + Long.toUnsignedString(call.callId())
                    + " was not accepted: the executor rejected its task", e);
        }
    }

    private void runAlone(JobCall call) {
        try {
            runAndReport(call);
        } finally {
            lock.lock();
            try {
                markFinished(call);
            } finally {
                lock.unlock();
            }
        }
    }

    private void runLane(String vmId, JobCall first) {
        JobCall call = first;
        try {
            while (call != null) {
                runAndReport(call);
                call = finishedAndTakeNext(vmId, call);
            }
        } finally {
            if (call != null) {
                retireAfterError(vmId, call);
            }
        }
    }

    private void runAndReport(JobCall call) {
        JobExecution execution;
        try {
            execution = runner.run(call);
        } catch (RuntimeException e) {
            log.error("job call {} {} could not run", Long.toUnsignedString(call.callId()), call.jobName(), e);
            execution = new JobExecution.Failed("job could not run: " + e);
        }

        try {
            listener.onCompleted(call, execution);
        } catch (RuntimeException e) {
            log.error("completion listener failed for job call {} {}", Long.toUnsignedString(call.callId()),
                    call.jobName(), e);
        }
    }

    /** Marks {@code done} finished and takes the lane's next call, or retires the lane when there is none. */
    private JobCall finishedAndTakeNext(String vmId, JobCall done) {
        List<JobCall> dropped = List.of();
        JobCall next;

        lock.lock();
        try {
            markFinished(done);
            ArrayDeque<JobCall> queue = lanes.get(vmId);
            if (abandoned) {
                dropped = new ArrayList<>(queue);
                unfinished -= dropped.size();
                queue.clear();
                if (unfinished == 0) {
                    drained.signalAll();
                }
            }

            next = queue.pollFirst();
            if (next == null) {
                lanes.remove(vmId);
            } else {
                running.add(next);
            }
        } finally {
            lock.unlock();
        }

        for (JobCall call : dropped) {
            log.warn("{} was dropped without running because the dispatcher closed", describe(call));
        }
        return next;
    }

    /**
     * Ends a lane whose worker is dying of an {@link Error}. Its queued calls are dropped and
     * logged, so that {@link #close} does not wait for them and a later call for the VM starts a
     * new lane.
     */
    private void retireAfterError(String vmId, JobCall current) {
        List<JobCall> dropped;
        lock.lock();
        try {
            markFinished(current);
            ArrayDeque<JobCall> queue = lanes.remove(vmId);
            dropped = new ArrayList<>(queue);
            unfinished -= dropped.size();
            if (unfinished == 0) {
                drained.signalAll();
            }
        } finally {
            lock.unlock();
        }

        log.error("the lane of vm {} stopped on an error while running {}; dropped without running: {}", vmId,
                describe(current), dropped.stream().map(JobDispatcher::describe).toList());
    }

    private void markFinished(JobCall call) {
        running.remove(call);
        unfinished--;
        if (unfinished == 0) {
            drained.signalAll();
        }
    }

    private static String describe(JobCall call) {
        return "job call " + Long.toUnsignedString(call.callId()) + " " + call.jobName();
    }
}
