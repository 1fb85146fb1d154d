package io.tangle.microvm.store;

/**
 * The last log that the operator fully processed. Polling resumes after it.
 *
 * @param blockHash the 0x-prefixed 32-byte hash of the cursor's block, stored in lowercase, so a
 *     restart can tell whether that block was replaced by a reorg
 */
public record ChainCursor(long blockNumber, String blockHash, long logIndex) {

    public ChainCursor {
        ChainValues.requireNotNegative(blockNumber, "blockNumber");
        blockHash = ChainValues.requireHash(blockHash, "blockHash");
        ChainValues.requireNotNegative(logIndex, "logIndex");
    }

    /** Returns a cursor at the given log. */
    public static ChainCursor at(ChainPosition position) {
        return new ChainCursor(position.blockNumber(), position.blockHash(), position.logIndex());
    }
}
