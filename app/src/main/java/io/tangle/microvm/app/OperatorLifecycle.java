package io.tangle.microvm.app;

import io.tangle.microvm.app.operator.Operator;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs an operator in the foreground until SIGTERM or Ctrl-C, including a signal during start-up. */
final class OperatorLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OperatorLifecycle.class);

    /** Starts an operator; may block while waiting for the chain. */
    @FunctionalInterface
    interface Starter {
        Operator start() throws InterruptedException;
    }

    private OperatorLifecycle() {
    }

    /**
     * Starts the operator and blocks until a stop signal closed it. Returns 0 after a signal, even
     * one that arrived during start-up.
     */
    static int runUntilStopped(Starter starter) throws InterruptedException {
        return runUntilStopped(starter, false);
    }

    /**
     * Like {@link #runUntilStopped(Starter)}; with {@code endGuests} the stop also ends every running
     * guest instead of leaving it for the next start to adopt.
     */
    static int runUntilStopped(Starter starter, boolean endGuests) throws InterruptedException {
        AtomicReference<Operator> running = new AtomicReference<>();
        Thread main = Thread.currentThread();
        StopSignals.onStop(() -> {
            Operator operator = running.get();
            if (operator == null) {
                main.interrupt();
            } else if (endGuests) {
                operator.closeAndEndGuests();
            } else {
                operator.close();
            }
        });

        Operator operator;
        try {
            operator = starter.start();
        } catch (InterruptedException e) {
            log.info("stopped during start-up");
            return 0;
        }
        running.set(operator);
        if (Thread.interrupted()) {
            // The signal came between the end of start-up and the line above.
            if (endGuests) {
                operator.closeAndEndGuests();
            } else {
                operator.close();
            }
        }
        operator.awaitStopped();
        return 0;
    }
}
