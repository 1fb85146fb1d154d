package io.tangle.microvm.app.operator;

import io.tangle.microvm.chain.PollCursor;
import io.tangle.microvm.chain.PollerListener;
import io.tangle.microvm.store.CallAtPosition;
import io.tangle.microvm.store.SqliteStore;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the poller's progress to the stored cursor and reports reorganisations.
 *
 * <p>Reorganisation policy: a VM change cannot be undone (a destroyed guest stays destroyed), so
 * the operator keeps every change it applied and reports, at ERROR, each call it applied from a
 * block that is no longer on chain. Calls that reappear in the new chain with the same call id keep
 * their first outcome; new call ids are applied as usual.
 */
final class CursorListener implements PollerListener {

    private static final Logger log = LoggerFactory.getLogger(CursorListener.class);

    private final ProgressTracker progress;
    private final SqliteStore store;

    CursorListener(ProgressTracker progress, SqliteStore store) {
        this.progress = progress;
        this.store = store;
    }

    @Override
    public void onWindowProcessed(PollCursor cursor, String blockHash) {
        progress.windowProcessed(cursor, blockHash);
    }

    @Override
    public void onReorg(long block, String storedHash, String currentHash, PollCursor rewoundTo) {
        progress.rewound(rewoundTo);

        List<CallAtPosition> orphaned = store.outcomesFromBlock(rewoundTo.nextBlock());
        log.error("chain reorganisation at block {} (hash was {}, now {}); rescanning from block {}; {} applied calls"
                + " came from blocks that may have left the chain", block, storedHash, currentHash,
                rewoundTo.nextBlock(), orphaned.size());
        for (CallAtPosition call : orphaned) {
            log.error("job call {} {} for vm {} was applied from block {} ({}), which may no longer be on chain;"
                    + " its VM change is kept", Long.toUnsignedString(call.callId()), call.job(), call.vmId(),
                    call.blockNumber(), call.blockHash());
        }
    }
}
