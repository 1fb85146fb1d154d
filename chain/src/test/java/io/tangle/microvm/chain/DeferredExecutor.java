package io.tangle.microvm.chain;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An executor that holds its tasks until {@link #release()}, then runs each on a virtual thread,
 * so that a test can queue several results before any sender runs.
 */
final class DeferredExecutor extends AbstractExecutorService {

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Runnable> heldTasks = new ArrayList<>();
    private boolean released;

    @Override
    public synchronized void execute(Runnable task) {
        if (released) {
            threads.execute(task);
        } else {
            heldTasks.add(task);
        }
    }

    /** Starts the held tasks and every later one at once. */
    synchronized void release() {
        released = true;
        heldTasks.forEach(threads::execute);
        heldTasks.clear();
    }

    @Override
    public void shutdown() {
        threads.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return threads.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return threads.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return threads.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return threads.awaitTermination(timeout, unit);
    }
}
