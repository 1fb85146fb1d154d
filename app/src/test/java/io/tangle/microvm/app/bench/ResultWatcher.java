package io.tangle.microvm.app.bench;

import io.tangle.microvm.chain.JobResultEvent;
import io.tangle.microvm.chain.MalformedLogException;
import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.TangleSignatures;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * Records when each call's {@code JobResultSubmitted} event first shows on chain, by polling
 * {@code eth_getLogs} on a thread of its own. The time kept for a call is the wall clock
 * ({@link System#nanoTime()}) right after the {@code eth_blockNumber} reply that made its block
 * visible, so it trails the mining of the result by at most one poll interval plus two requests.
 */
final class ResultWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ResultWatcher.class);

    private static final int LOG_RANGE_BLOCKS = 2000;

    private final Web3j web3j;
    private final String contract;
    private final String serviceTopic;
    private final Duration interval;
    private final Map<Long, Long> observedAt = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stopped;
    private long nextBlock;

    private ResultWatcher(Web3j web3j, String contract, long serviceId, long fromBlock, Duration interval) {
        this.web3j = web3j;
        this.contract = contract;
        this.serviceTopic = Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(serviceId), 64);
        this.interval = interval;
        this.nextBlock = fromBlock;
        this.thread = Thread.ofPlatform().daemon().name("result-watcher").unstarted(this::run);
    }

    /** Starts watching from the block after the current head. */
    static ResultWatcher start(Web3j web3j, String contract, long serviceId, Duration interval)
            throws RpcException, InterruptedException {
        long head = Rpc.send(web3j.ethBlockNumber()).getBlockNumber().longValueExact();
        ResultWatcher watcher = new ResultWatcher(web3j, contract, serviceId, head + 1, interval);
        watcher.thread.start();
        return watcher;
    }

    /** Returns how many distinct calls have a result on chain so far. */
    int count() {
        return observedAt.size();
    }

    /** Returns when the call's result was first seen, or null when it has not been seen. */
    Long observedAt(long callId) {
        return observedAt.get(callId);
    }

    /** Waits until every call in {@code callIds} has a result; returns false on timeout. */
    boolean awaitAll(Collection<Long> callIds, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!observedAt.keySet().containsAll(callIds)) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(interval);
        }
        return true;
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (!stopped) {
            try {
                poll();
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            } catch (RpcException | RuntimeException e) {
                // A lost poll only delays observation; the next one reads the same blocks again.
                log.warn("result watcher poll failed at block {}: {}", nextBlock, e.getMessage());
            }
        }
    }

    private void poll() throws RpcException, InterruptedException {
        long head = Rpc.send(web3j.ethBlockNumber()).getBlockNumber().longValueExact();
        long seenAt = System.nanoTime();
        while (nextBlock <= head) {
            long to = Math.min(head, nextBlock + LOG_RANGE_BLOCKS - 1);
            EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(nextBlock)),
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(to)), contract);
            filter.addSingleTopic(TangleSignatures.JOB_RESULT_SUBMITTED_TOPIC);
            filter.addSingleTopic(serviceTopic);
            for (EthLog.LogResult<?> result : Rpc.send(web3j.ethGetLogs(filter)).getLogs()) {
                record((Log) result.get(), seenAt);
            }
            nextBlock = to + 1;
        }
    }

    private void record(Log entry, long seenAt) {
        try {
            observedAt.putIfAbsent(JobResultEvent.decode(entry).callId(), seenAt);
        } catch (MalformedLogException e) {
            log.warn("skipping malformed JobResultSubmitted log in transaction {}: {}", entry.getTransactionHash(),
                    e.getMessage());
        }
    }
}
