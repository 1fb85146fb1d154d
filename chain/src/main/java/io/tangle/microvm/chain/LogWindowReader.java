package io.tangle.microvm.chain;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * Reads the job submission logs of one service over a block range with {@code eth_getLogs}, and
 * checks them against the blocks' current hashes. Used only by the poller's thread.
 */
final class LogWindowReader {

    private static final Logger log = LoggerFactory.getLogger(LogWindowReader.class);

    /** Logs of blocks {@code from..to}, sorted by (block, log index), and the hash of block {@code to}. */
    record Window(long from, long to, String toHash, List<Log> logs) {
    }

    private final Web3j web3j;
    private final String contractAddress;
    private final String serviceTopic;
    private final RpcBackoff backoff;
    private final String context;
    private volatile int blockRange;

    LogWindowReader(Web3j web3j, PollerConfig config, RpcBackoff backoff, String context) {
        this.web3j = web3j;
        this.contractAddress = config.contractAddress();
        this.serviceTopic = Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(config.serviceId()), 64);
        this.backoff = backoff;
        this.context = context;
        this.blockRange = config.maxBlockRange();
    }

    /** Returns the current maximum number of blocks per {@code eth_getLogs} request. */
    int blockRange() {
        return blockRange;
    }

    /**
     * Reads blocks {@code from} to at most {@code to}, retrying failures. The window may end before
     * {@code to} when the node rejected the range. Returns null when the logs disagree with the
     * blocks' current hashes, which means the chain changed while they were read.
     */
    Window read(long from, long to) throws InterruptedException, RpcBackoff.StoppedException {
        int attempt = 0;
        long end = Math.min(to, from + blockRange - 1);
        while (true) {
            try {
                List<Log> logs = getLogs(from, end);
                Map<Long, String> hashes = new HashMap<>();
                hashes.put(end, blockHash(end));
                for (Log entry : logs) {
                    long block = entry.getBlockNumber().longValueExact();
                    if (!hashes.containsKey(block)) {
                        hashes.put(block, blockHash(block));
                    }
                }
                backoff.recovered("eth_getLogs", attempt);
                return consistentWindow(from, end, hashes, logs);
            } catch (RpcException e) {
                attempt++;
                if (!e.isTransport() && e.method().equals("eth_getLogs") && end > from) {
                    // The node responded but rejected the request: most likely a block range or
                    // result count limit. Halving the range ends after log2(range) attempts.
                    shrinkRange(from, end, e);
                    end = from + blockRange - 1;
                    continue;
                }
                backoff.failed(e.method(), attempt, e);
            }
        }
    }

    /** Returns the hash of block {@code number}, lowercase, or null when the chain has no such block. */
    String blockHash(long number) throws RpcException, InterruptedException {
        EthBlock reply = Rpc.send(web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(number)), false));
        EthBlock.Block block = reply.getBlock();
        return block == null || block.getHash() == null ? null : block.getHash().toLowerCase(Locale.ROOT);
    }

    private void shrinkRange(long from, long end, RpcException e) {
        long reduced = Math.max(1, (end - from + 1) / 2);
        if (reduced < blockRange) {
            blockRange = (int) reduced;
            log.warn("{}: the node rejected eth_getLogs for blocks {} to {} ({}); using at most {} blocks per request"
                    + " for the rest of this run; lower the configured maximum block range to avoid this",
                    context, from, end, e.getMessage(), blockRange);
        }
    }

    private Window consistentWindow(long from, long to, Map<Long, String> hashes, List<Log> logs) {
        String toHash = hashes.get(to);
        if (toHash == null) {
            log.warn("{}: block {} is no longer on the chain; reading the range again", context, to);
            return null;
        }
        for (Log entry : logs) {
            long block = entry.getBlockNumber().longValueExact();
            String expected = hashes.get(block);
            if (!entry.isRemoved() && (expected == null || !expected.equalsIgnoreCase(entry.getBlockHash()))) {
                log.warn("{}: a log of block {} carries block hash {} but the chain has {}; the chain changed while"
                        + " reading, so the range is read again", context, block, entry.getBlockHash(), expected);
                return null;
            }
        }
        List<Log> sorted = new ArrayList<>(logs);
        sorted.sort(Comparator.comparing(Log::getBlockNumber).thenComparing(Log::getLogIndex));
        return new Window(from, to, toHash, sorted);
    }

    private List<Log> getLogs(long from, long to) throws RpcException, InterruptedException {
        EthFilter filter = new EthFilter(
                DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(to)),
                contractAddress);
        filter.addOptionalTopics(TangleSignatures.JOB_SUBMITTED_TOPIC, TangleSignatures.JOB_SUBMITTED_FROM_QUOTE_TOPIC);
        filter.addSingleTopic(serviceTopic);

        // NOTE: a node that silently truncates a large reply instead of rejecting it goes unnoticed.
        // For such an endpoint, configure a block range small enough to stay under its limit.
        EthLog reply = Rpc.send(web3j.ethGetLogs(filter));
        List<Log> logs = new ArrayList<>();
        if (reply.getLogs() == null) {
            return logs;
        }
        for (EthLog.LogResult<?> result : reply.getLogs()) {
            if (!(result.get() instanceof Log entry)) {
                throw RpcException.errorResponse("eth_getLogs", 0, "the node returned log hashes instead of log objects", null);
            }
            if (entry.getBlockNumberRaw() == null || entry.getLogIndexRaw() == null) {
                log.warn("{}: skipping a log without block number or log index (tx {})", context, entry.getTransactionHash());
                continue;
            }
            logs.add(entry);
        }
        return logs;
    }
}
