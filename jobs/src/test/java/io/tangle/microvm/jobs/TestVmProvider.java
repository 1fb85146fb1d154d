package io.tangle.microvm.jobs;

import io.tangle.microvm.runtime.VmOperation;
import io.tangle.microvm.runtime.VmProvider;
import io.tangle.microvm.runtime.inmemory.InMemoryVmProvider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An {@link InMemoryVmProvider} with test controls: a gate per VM that blocks its operations until
 * opened, an exception to throw for one operation, a log of operations in the order they started,
 * and the highest number of operations seen in flight at once on one VM.
 */
final class TestVmProvider implements VmProvider {

    /** How long a gated operation waits before it gives up, so a broken test cannot hang. */
    private static final long GATE_TIMEOUT_SECONDS = 20;

    final InMemoryVmProvider state = new InMemoryVmProvider();
    final List<String> applied = new CopyOnWriteArrayList<>();
    final BlockingQueue<String> started = new LinkedBlockingQueue<>();
    final List<String> startedLog = new CopyOnWriteArrayList<>();

    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger maxInFlightPerVm = new AtomicInteger();
    private final Map<VmOperation, RuntimeException> failures = new ConcurrentHashMap<>();
    private volatile long delayNanos;

    /** Holds every operation on {@code vmId} until the returned latch is counted down. */
    CountDownLatch gate(String vmId) {
        CountDownLatch latch = new CountDownLatch(1);
        gates.put(vmId, latch);
        return latch;
    }

    /** Makes each operation take a random time below {@code maxNanos}. */
    void randomDelay(long maxNanos) {
        delayNanos = maxNanos;
    }

    void throwOn(VmOperation operation, RuntimeException failure) {
        failures.put(operation, failure);
    }

    int maxInFlightPerVm() {
        return maxInFlightPerVm.get();
    }

    /** Waits until an operation on {@code vmId} has started; returns false after {@code seconds}. */
    boolean awaitStarted(String vmId, VmOperation operation, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String expected = vmId + ":" + operation.jobName();
        while (true) {
            long left = deadline - System.nanoTime();
            String next = started.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return false;
            }
            if (next.equals(expected)) {
                return true;
            }
        }
    }

    @Override
    public void createVm(String vmId) {
        around(vmId, VmOperation.CREATE, () -> state.createVm(vmId));
    }

    @Override
    public void startVm(String vmId) {
        around(vmId, VmOperation.START, () -> state.startVm(vmId));
    }

    @Override
    public void stopVm(String vmId) {
        around(vmId, VmOperation.STOP, () -> state.stopVm(vmId));
    }

    @Override
    public void snapshotVm(String vmId, String snapshotId) {
        around(vmId, VmOperation.SNAPSHOT, () -> state.snapshotVm(vmId, snapshotId));
    }

    @Override
    public void destroyVm(String vmId) {
        around(vmId, VmOperation.DESTROY, () -> state.destroyVm(vmId));
    }

    @Override
    public void restoreVm(String vmId, String snapshotId) {
        around(vmId, VmOperation.RESTORE, () -> state.restoreVm(vmId, snapshotId));
    }

    private void around(String vmId, VmOperation operation, Runnable action) {
        AtomicInteger count = inFlight.computeIfAbsent(vmId, id -> new AtomicInteger());
        maxInFlightPerVm.accumulateAndGet(count.incrementAndGet(), Math::max);
        try {
            started.add(vmId + ":" + operation.jobName());
            startedLog.add(vmId + ":" + operation.jobName());
            awaitGate(vmId);
            if (delayNanos > 0) {
                // Varies interleavings across VMs; ordering never depends on it.
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(delayNanos));
            }

            RuntimeException failure = failures.get(operation);
            if (failure != null) {
                throw failure;
            }
            action.run();
            applied.add(vmId + ":" + operation.jobName());
        } finally {
            count.decrementAndGet();
        }
    }

    private void awaitGate(String vmId) {
        CountDownLatch gate = gates.get(vmId);
        if (gate == null) {
            return;
        }
        try {
            if (!gate.await(GATE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test gate for " + vmId + " was not opened within "
                        + GATE_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted at the test gate for " + vmId, e);
        }
    }
}
