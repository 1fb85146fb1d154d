package io.tangle.microvm.chain;

import java.util.Locale;
import java.util.Objects;

/**
 * The block whose {@code JobSubmitted} log announced a call, as the operator saw it. A result is
 * sent only while this block is still on the chain, because after a reorganisation the call id
 * may belong to another call.
 *
 * @param blockHash lowercase {@code 0x} hex
 */
public record CallBlock(long blockNumber, String blockHash) {

    public CallBlock {
        Objects.requireNonNull(blockHash, "blockHash");
        if (blockNumber < 0) {
            throw new IllegalArgumentException("block number must not be negative: " + blockNumber);
        }
        blockHash = blockHash.toLowerCase(Locale.ROOT);
    }
}
