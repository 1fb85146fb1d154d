package io.tangle.microvm.app.operator;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs each task on a new virtual thread, but lets at most {@code permits} of them work at once;
 * the others wait for a permit on their own thread, never on the caller's. It bounds how much
 * work a catch-up over thousands of calls puts on the store and the RPC endpoint at the same time.
 */
final class PermitExecutor extends AbstractExecutorService {

    private final ExecutorService threads;
    private final Semaphore permits;

    PermitExecutor(String name, int permits) {
        this.threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-", 0).factory());
        this.permits = new Semaphore(permits, true);
    }

    @Override
    public void execute(Runnable task) {
        threads.execute(() -> {
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                // Shutting down: the task still runs, with the interrupt set, so that whatever
                // waits for it (such as a future) completes instead of waiting forever.
                Thread.currentThread().interrupt();
                task.run();
                return;
            }
            try {
                task.run();
            } finally {
                permits.release();
            }
        });
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
