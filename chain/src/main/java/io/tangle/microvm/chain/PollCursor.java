package io.tangle.microvm.chain;

/**
 * A position in the chain's log order: everything at or before ({@code block}, {@code logIndex})
 * has been handed on. {@link #WHOLE_BLOCK} as log index means the whole block is done.
 *
 * @param block a block number, or -1 before block 0
 * @param logIndex a log index within the block, or {@link #WHOLE_BLOCK}
 */
public record PollCursor(long block, long logIndex) implements Comparable<PollCursor> {

    /** Log index meaning "every log of the block". */
    public static final long WHOLE_BLOCK = Long.MAX_VALUE;

    public PollCursor {
        if (block < -1) {
            throw new IllegalArgumentException("block must be -1 or more: " + block);
        }
        if (logIndex < 0) {
            throw new IllegalArgumentException("logIndex must not be negative: " + logIndex);
        }
        if (block == -1 && logIndex != WHOLE_BLOCK) {
            throw new IllegalArgumentException("the position before block 0 must use WHOLE_BLOCK, not log " + logIndex);
        }
    }

    /** Returns the cursor of a scan that starts with block {@code firstBlock}, before any of its logs. */
    public static PollCursor beforeBlock(long firstBlock) {
        if (firstBlock < 0) {
            throw new IllegalArgumentException("firstBlock must not be negative: " + firstBlock);
        }
        return new PollCursor(firstBlock - 1, WHOLE_BLOCK);
    }

    /** Returns the cursor after every log of {@code block}. */
    public static PollCursor afterBlock(long block) {
        return new PollCursor(block, WHOLE_BLOCK);
    }

    public boolean isWholeBlock() {
        return logIndex == WHOLE_BLOCK;
    }

    /** Returns the first block that may still contain logs not yet handed on. */
    public long nextBlock() {
        return isWholeBlock() ? block + 1 : block;
    }

    /** Returns whether the log at ({@code logBlock}, {@code logLogIndex}) is at or before this cursor. */
    public boolean covers(long logBlock, long logLogIndex) {
        return logBlock < block || (logBlock == block && logLogIndex <= logIndex);
    }

    @Override
    public int compareTo(PollCursor other) {
        int byBlock = Long.compare(block, other.block);
        return byBlock != 0 ? byBlock : Long.compare(logIndex, other.logIndex);
    }

    @Override
    public String toString() {
        return isWholeBlock() ? "after block " + block : "block " + block + " log " + logIndex;
    }
}
