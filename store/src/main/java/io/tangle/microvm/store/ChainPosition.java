package io.tangle.microvm.store;

/**
 * The position of a job call's event on the chain. The store keeps it with the call's outcome so that a
 * reorg can find the outcomes of calls whose blocks were replaced.
 *
 * @param blockHash the 0x-prefixed 32-byte block hash, stored in lowercase
 */
public record ChainPosition(long blockNumber, String blockHash, long logIndex) {

    public ChainPosition {
        ChainValues.requireNotNegative(blockNumber, "blockNumber");
        blockHash = ChainValues.requireHash(blockHash, "blockHash");
        ChainValues.requireNotNegative(logIndex, "logIndex");
    }
}
