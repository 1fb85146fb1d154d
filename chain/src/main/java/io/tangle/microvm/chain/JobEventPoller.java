package io.tangle.microvm.chain;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Watches the Tangle contract for job calls of one service and hands them to a consumer in chain
 * order, (block number, log index), on one thread of its own.
 *
 * <p>Each poll reads the head with {@code eth_blockNumber} and fetches {@code JobSubmitted} and
 * {@code JobSubmittedFromQuote} logs of the service with {@code eth_getLogs}, in block ranges of at
 * most {@link PollerConfig#maxBlockRange()}, up to the head minus the confirmation depth. It sleeps
 * {@link PollerConfig#pollInterval()} only when caught up. It uses no node-side filters, which a
 * node drops when it restarts.
 *
 * <p>Delivery is at least once: after a restart from a stored cursor, a failed consumer call, or a
 * reorganisation, an event may reach the consumer again, so the consumer must deduplicate by
 * (service id, call id). Skipped without delivery, with a log line: logs flagged {@code removed},
 * malformed logs (WARN, with block and log index), and quote calls that did not quote this operator.
 *
 * <p>RPC failures never end the poller: each request is retried with a growing delay (see
 * {@link RpcBackoff}). A node that rejects a block range makes the poller halve its range for the rest
 * of the run. Before each poll it checks that the last processed block still has the hash it had
 * when read; if not, it logs ERROR, calls {@link PollerListener#onReorg}, and scans again from the
 * newest processed block that is still canonical.
 */
public final class JobEventPoller implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobEventPoller.class);

    /** How many processed range ends are kept for finding where a reorganisation started. */
    private static final int PROCESSED_BLOCKS_KEPT = 128;

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    /** Lifecycle: NEW until {@link #start()}, RUNNING until {@link #stop()}, then STOPPED for good. */
    public enum State {
        NEW,
        RUNNING,
        STOPPED
    }

    /**
     * A snapshot of the poller's progress.
     *
     * @param headBlock the chain head seen by the last successful {@code eth_blockNumber}, or -1
     * @param consecutiveFailures failed requests (or consumer calls) since the last success
     * @param blockRange the current maximum block range of one {@code eth_getLogs}
     */
    public record Status(State state, PollCursor cursor, boolean caughtUp, long headBlock, int consecutiveFailures,
            int blockRange) {
    }

    private final Web3j web3j;
    private final PollerConfig config;
    private final Consumer<JobSubmittedEvent> consumer;
    private final PollerListener listener;
    private final ThreadFactory threadFactory;
    private final String context;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final RpcBackoff backoff;
    private final LogWindowReader reader;
    private final ProcessedBlocks processed = new ProcessedBlocks(PROCESSED_BLOCKS_KEPT);

    private final Object stateLock = new Object();
    private State state = State.NEW;
    private Thread thread;

    private volatile PollCursor cursor;
    private volatile boolean caughtUp;
    private volatile long headBlock = -1;
    private int consumerFailures;

    /**
     * Creates a poller that runs on a virtual thread once started.
     *
     * @param consumer receives each event on the poller's thread. It should hand the event off
     *        quickly. When it throws, the poller delivers the same event again after a delay.
     */
    public JobEventPoller(Web3j web3j, PollerConfig config, Consumer<JobSubmittedEvent> consumer) {
        this(web3j, config, consumer, PollerListener.NONE,
                Thread.ofVirtual().name("job-poller-service-" + config.serviceId()).factory());
    }

    public JobEventPoller(Web3j web3j, PollerConfig config, Consumer<JobSubmittedEvent> consumer, PollerListener listener,
            ThreadFactory threadFactory) {
        this.web3j = Objects.requireNonNull(web3j, "web3j");
        this.config = Objects.requireNonNull(config, "config");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
        this.context = "job poller (service " + config.serviceId() + ")";
        this.backoff = new RpcBackoff(log, stopSignal, context);
        this.reader = new LogWindowReader(web3j, config, backoff, context);
        this.cursor = config.start();
        if (config.startBlockHash() != null && config.start().block() >= 0) {
            processed.add(config.start().block(), config.startBlockHash());
        }
    }

    /** Starts polling on a new thread. A poller starts at most once. */
    public void start() {
        synchronized (stateLock) {
            if (state != State.NEW) {
                throw new IllegalStateException(context + " cannot start: it is " + state + " and a poller starts only once");
            }
            thread = threadFactory.newThread(this::run);
            state = State.RUNNING;
        }
        thread.start();
    }

    /**
     * Stops polling and waits up to 5 s for the thread to end. Interrupting the thread aborts a
     * request in progress on a virtual thread, while on a platform thread the request ends at its
     * HTTP timeout. Calling this again does nothing.
     */
    public void stop() {
        Thread running;
        synchronized (stateLock) {
            if (state == State.STOPPED) {
                return;
            }
            running = thread;
            state = State.STOPPED;
        }
        stopSignal.countDown();
        if (running == null) {
            return;
        }
        running.interrupt();
        try {
            if (!running.join(STOP_TIMEOUT)) {
                log.warn("{} did not stop within {} ms; it ends when its current request times out", context, STOP_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Returns the position up to which every log was handed to the consumer or skipped on purpose. */
    public PollCursor cursor() {
        return cursor;
    }

    /**
     * Returns whether the last poll processed everything up to the head minus the confirmation
     * depth and the node responded recently (fewer than 5 failures in a row).
     */
    public boolean isCaughtUp() {
        return caughtUp && backoff.consecutiveFailures() < RpcBackoff.ESCALATE_AFTER;
    }

    /** Returns a snapshot of the poller's state and progress. */
    public Status status() {
        State current;
        synchronized (stateLock) {
            current = state;
        }
        return new Status(current, cursor, isCaughtUp(), headBlock, backoff.consecutiveFailures(), reader.blockRange());
    }

    private void run() {
        log.info("{} started: contract {}, operator {}, from {}, max range {} blocks, {} confirmations, poll interval {} ms",
                context, config.contractAddress(), config.operatorAddress(), cursor, reader.blockRange(), config.confirmations(),
                config.pollInterval().toMillis());
        int unexpectedFailures = 0;
        try {
            while (true) {
                try {
                    boolean idle = pollOnce();
                    unexpectedFailures = 0;
                    if (idle) {
                        backoff.await(config.pollInterval());
                    }
                } catch (RuntimeException e) {
                    // A bug or an unexpected reply shape: log it with the position and keep going,
                    // because a stopped poller silently stops the whole operator.
                    unexpectedFailures++;
                    Duration delay = RpcBackoff.delayFor(unexpectedFailures);
                    log.error("{}: poll failed unexpectedly at {} ({} times in a row), retrying in {} ms",
                            context, cursor, unexpectedFailures, delay.toMillis(), e);
                    backoff.await(delay);
                }
            }
        } catch (RpcBackoff.StoppedException e) {
            // stop() was called while waiting.
        } catch (InterruptedException e) {
            if (stopSignal.getCount() > 0) {
                log.warn("{} was interrupted without stop(); ending at {}", context, cursor);
            }
        } finally {
            caughtUp = false;
            synchronized (stateLock) {
                state = State.STOPPED;
            }
            log.info("{} stopped at {}", context, cursor);
        }
    }

    /** Processes at most one block range. Returns true when caught up, so the caller may sleep. */
    private boolean pollOnce() throws InterruptedException, RpcBackoff.StoppedException {
        long latest = backoff.call("eth_blockNumber", () -> Rpc.send(web3j.ethBlockNumber()).getBlockNumber().longValueExact());
        headBlock = latest;

        if (!lastProcessedBlockIsCanonical(latest)) {
            caughtUp = false;
            return false;
        }

        long target = latest - config.confirmations();
        long from = cursor.nextBlock();
        if (target < from) {
            caughtUp = true;
            return true;
        }
        if (target - from + 1 > reader.blockRange()) {
            caughtUp = false;
        }

        LogWindowReader.Window window = reader.read(from, target);
        if (window == null) {
            backoff.await(RpcBackoff.STEP);
            return false;
        }
        // A reorganisation during the read, seen by a retry inside it, can give a window of the new
        // chain on top of processed blocks of the old one, so the check runs again before delivery.
        if (!lastProcessedBlockIsCanonical(headBlock)) {
            caughtUp = false;
            return false;
        }
        if (!deliver(window)) {
            return false;
        }

        cursor = PollCursor.afterBlock(window.to());
        processed.add(window.to(), window.toHash());
        notifyWindowProcessed(window);
        if (window.to() == target) {
            caughtUp = true;
            return true;
        }
        return false;
    }

    /**
     * Hands the window's events to the consumer in order, moving the cursor after each one.
     * Returns false when the consumer failed; the cursor then stays before the failed event.
     */
    private boolean deliver(LogWindowReader.Window window) throws InterruptedException, RpcBackoff.StoppedException {
        for (Log entry : window.logs()) {
            long block = entry.getBlockNumber().longValueExact();
            long logIndex = entry.getLogIndex().longValueExact();
            if (cursor.covers(block, logIndex)) {
                continue;
            }

            JobSubmittedEvent event = eventToDeliver(entry, block, logIndex);
            if (event != null) {
                try {
                    consumer.accept(event);
                    consumerFailures = 0;
                } catch (RuntimeException e) {
                    consumerFailures++;
                    Duration delay = RpcBackoff.delayFor(consumerFailures);
                    log.error("{}: the job consumer failed on call {} (block {} log {}, tx {}, {} times in a row);"
                            + " delivering it again in {} ms", context, event.callId(), block, logIndex, event.transactionHash(),
                            consumerFailures, delay.toMillis(), e);
                    backoff.await(delay);
                    return false;
                }
            }
            cursor = new PollCursor(block, logIndex);
        }
        return true;
    }

    /** Decodes and filters one log; returns null for a log that is skipped on purpose. */
    private JobSubmittedEvent eventToDeliver(Log entry, long block, long logIndex) {
        if (entry.isRemoved()) {
            log.warn("{}: skipping log at block {} log {} (tx {}) flagged removed by a reorganisation",
                    context, block, logIndex, entry.getTransactionHash());
            return null;
        }
        if (!config.contractAddress().equalsIgnoreCase(entry.getAddress())) {
            log.warn("{}: skipping log at block {} log {} from {} instead of the Tangle contract",
                    context, block, logIndex, entry.getAddress());
            return null;
        }

        JobSubmittedEvent event;
        try {
            event = JobSubmittedDecoder.decode(entry);
        } catch (MalformedLogException e) {
            log.warn("{}: skipping malformed job log at block {} log {} (tx {}): {}",
                    context, block, logIndex, entry.getTransactionHash(), e.getMessage());
            return null;
        }

        if (event.serviceId() != config.serviceId()) {
            log.warn("{}: skipping call {} of service {} at block {} log {}: the node ignored the service id topic filter",
                    context, event.callId(), event.serviceId(), block, logIndex);
            return null;
        }
        if (!event.isAddressedTo(config.operatorAddress())) {
            log.info("{}: skipping quote call {} at block {} log {}: this operator is not among the quoted operators {}",
                    context, event.callId(), block, logIndex, event.quotedOperators());
            return null;
        }
        return event;
    }

    /**
     * Checks that the newest processed block still has the hash it had when read. If not, rewinds
     * the cursor to the newest processed block that does, or to the configured start.
     */
    private boolean lastProcessedBlockIsCanonical(long latest) throws InterruptedException, RpcBackoff.StoppedException {
        ProcessedBlocks.Entry newest = processed.newest();
        if (newest == null) {
            return true;
        }
        String current = backoff.call("eth_getBlockByNumber", () -> reader.blockHash(newest.number()));
        if (newest.hash().equals(current)) {
            return true;
        }

        ProcessedBlocks.Entry stillCanonical = null;
        for (ProcessedBlocks.Entry entry : processed.newestFirst()) {
            if (entry == newest) {
                continue;
            }
            String hash = backoff.call("eth_getBlockByNumber", () -> reader.blockHash(entry.number()));
            if (entry.hash().equals(hash)) {
                stillCanonical = entry;
                break;
            }
        }

        PollCursor rewoundTo;
        if (stillCanonical != null) {
            processed.truncateAbove(stillCanonical.number());
            rewoundTo = PollCursor.afterBlock(stillCanonical.number());
        } else {
            // NOTE: with no processed block left on the chain, scanning restarts at the configured
            // start; a reorganisation reaching below the start block is not recovered.
            processed.clear();
            rewoundTo = config.start();
        }
        log.error("{}: processed block {} had hash {} but the chain (head {}) now has {}: a reorganisation or a node reset;"
                + " scanning again from {}, so events after it may be delivered again",
                context, newest.number(), newest.hash(), latest, current == null ? "no such block" : current, rewoundTo);
        cursor = rewoundTo;
        try {
            listener.onReorg(newest.number(), newest.hash(), current, rewoundTo);
        } catch (RuntimeException e) {
            log.error("{}: the reorganisation listener failed", context, e);
        }
        return false;
    }

    private void notifyWindowProcessed(LogWindowReader.Window window) {
        log.debug("{}: processed blocks {} to {} ({} logs)", context, window.from(), window.to(), window.logs().size());
        try {
            listener.onWindowProcessed(cursor, window.toHash());
        } catch (RuntimeException e) {
            log.error("{}: the progress listener failed at {}", context, cursor, e);
        }
    }
}
