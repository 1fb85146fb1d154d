package io.tangle.microvm.app;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs a stop action on SIGTERM or SIGINT (Ctrl-C), once, on its own thread, so that the command
 * can return normally and the process exits with status 0. A JVM shutdown hook would run too late
 * for that: the exit status of a signal-triggered shutdown is 128 plus the signal number.
 */
final class StopSignals {

    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

    private StopSignals() {
    }

    static void onStop(Runnable stop) {
        AtomicBoolean stopping = new AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                if (stopping.compareAndSet(false, true)) {
                    log.info("received SIG{}; stopping", signal.getName());
                    Thread.ofPlatform().name("stop").start(stop);
                } else {
                    log.info("received SIG{} again; still stopping", signal.getName());
                }
            });
        }
    }
}
