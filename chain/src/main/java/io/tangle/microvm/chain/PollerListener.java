package io.tangle.microvm.chain;

/**
 * Progress notifications of a {@link JobEventPoller}, called on the poller's thread. An exception
 * thrown here is logged and does not stop the poller.
 */
public interface PollerListener {

    /**
     * Called after every event of a block range was handed to the consumer. A durable store can
     * persist {@code cursor} and {@code blockHash} here and pass them back as
     * {@link PollerConfig#start()} and {@link PollerConfig#startBlockHash()} after a restart.
     *
     * @param blockHash the hash of {@code cursor.block()} as the node reported it
     */
    default void onWindowProcessed(PollCursor cursor, String blockHash) {
    }

    /**
     * Called when a block the poller already processed is no longer part of the chain (a
     * reorganisation, or a node restarted with other history). The poller then scans again from
     * {@code rewoundTo}, so events after it may be delivered a second time, and events delivered
     * before may no longer exist on chain.
     *
     * @param block the processed block found replaced or missing
     * @param storedHash its hash when it was processed
     * @param currentHash its hash on the chain now, or null when the chain has no such block
     */
    default void onReorg(long block, String storedHash, String currentHash, PollCursor rewoundTo) {
    }

    PollerListener NONE = new PollerListener() {
    };
}
