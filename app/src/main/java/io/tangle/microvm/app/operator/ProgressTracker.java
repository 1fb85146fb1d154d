package io.tangle.microvm.app.operator;

import io.tangle.microvm.chain.PollCursor;
import io.tangle.microvm.store.ChainCursor;
import io.tangle.microvm.store.SqliteStore;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides how far the stored chain cursor may advance. The poller reports each block range once
 * its events were handed on, but those calls may still be running or waiting for their result
 * transaction. The stored cursor only passes a call once the call is finished (outcome recorded
 * and result submission settled). After a kill at any moment, the restarted operator receives
 * every unfinished call again, and the journal skips the ones that already have an outcome.
 */
final class ProgressTracker {

    private static final Logger log = LoggerFactory.getLogger(ProgressTracker.class);

    private record Window(PollCursor cursor, String blockHash) {
    }

    private final SqliteStore store;

    private final Object lock = new Object();
    /** Positions of calls handed on and not finished, ordered by (block, log index). */
    private final TreeSet<PollCursor> inFlight = new TreeSet<>();
    /** Processed ranges not yet stored, oldest first. */
    private final Deque<Window> windows = new ArrayDeque<>();

    /** Serializes cursor writes so that a stored cursor never moves back. */
    private final Object saveLock = new Object();
    private PollCursor saved;

    ProgressTracker(SqliteStore store, PollCursor start) {
        this.store = Objects.requireNonNull(store, "store");
        this.saved = start;
    }

    /** Registers a call before it is handed to the dispatcher. */
    void delivered(long block, long logIndex) {
        synchronized (lock) {
            inFlight.add(new PollCursor(block, logIndex));
        }
    }

    /** Marks a call finished: its outcome is recorded and its result needs no more work. */
    void finished(long block, long logIndex) {
        Window ready;
        synchronized (lock) {
            inFlight.remove(new PollCursor(block, logIndex));
            ready = takeReadyWindow();
        }
        save(ready);
    }

    /** Records that every event up to {@code cursor} was handed on. */
    void windowProcessed(PollCursor cursor, String blockHash) {
        Window ready;
        synchronized (lock) {
            windows.addLast(new Window(cursor, blockHash));
            ready = takeReadyWindow();
        }
        save(ready);
    }

    /** Forgets processed ranges after {@code rewoundTo}, since the poller scans them again. */
    void rewound(PollCursor rewoundTo) {
        synchronized (lock) {
            windows.removeIf(window -> window.cursor().compareTo(rewoundTo) > 0);
        }
        synchronized (saveLock) {
            if (saved != null && saved.compareTo(rewoundTo) > 0) {
                // The stored hash belongs to a block that left the chain; the poller's own rewind
                // point is kept until the next processed range is stored.
                saved = rewoundTo;
            }
        }
    }

    /** Returns how many calls are handed on and not finished. */
    int inFlightCount() {
        synchronized (lock) {
            return inFlight.size();
        }
    }

    /** Returns the newest processed range that no unfinished call precedes, removing it and older ones. */
    private Window takeReadyWindow() {
        Window ready = null;
        while (!windows.isEmpty()) {
            Window oldest = windows.peekFirst();
            if (!inFlight.isEmpty() && inFlight.first().compareTo(oldest.cursor()) <= 0) {
                break;
            }
            ready = windows.pollFirst();
        }
        return ready;
    }

    private void save(Window window) {
        if (window == null) {
            return;
        }
        synchronized (saveLock) {
            if (saved != null && window.cursor().compareTo(saved) <= 0) {
                return;
            }
            try {
                store.saveCursor(new ChainCursor(window.cursor().block(), window.blockHash(), window.cursor().logIndex()));
                saved = window.cursor();
            } catch (RuntimeException e) {
                // The next processed range retries; a restart rescans from the older stored cursor.
                log.error("could not store the chain cursor at block {}: {}", window.cursor().block(), e.getMessage(), e);
            }
        }
    }
}
