package io.tangle.microvm.app.testing;

import io.tangle.microvm.chain.JobResultEvent;
import io.tangle.microvm.chain.JobSubmittedDecoder;
import io.tangle.microvm.chain.JobSubmittedEvent;
import io.tangle.microvm.chain.MalformedLogException;
import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.TangleSignatures;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/** Reads a service's job calls and results from the chain as it is now, with {@code eth_getLogs}. */
public final class ChainEvents {

    private static final long MAX_BLOCK_RANGE = 1000;

    private final Web3j web3j;
    private final String contract;
    private final long serviceId;

    public ChainEvents(Web3j web3j, String contract, long serviceId) {
        this.web3j = Objects.requireNonNull(web3j, "web3j");
        this.contract = Objects.requireNonNull(contract, "contract");
        this.serviceId = serviceId;
    }

    /** Returns the service's {@code JobSubmitted} calls from {@code fromBlock} to the head, in chain order. */
    public List<JobSubmittedEvent> jobCalls(long fromBlock) throws RpcException, InterruptedException {
        List<JobSubmittedEvent> calls = new ArrayList<>();
        for (Log entry : logs(TangleSignatures.JOB_SUBMITTED_TOPIC, fromBlock)) {
            calls.add(decode(entry, JobSubmittedDecoder::decode));
        }
        calls.sort(Comparator.comparingLong(JobSubmittedEvent::blockNumber).thenComparingLong(JobSubmittedEvent::logIndex));
        return calls;
    }

    /** Returns the service's {@code JobResultSubmitted} events from {@code fromBlock} to the head, in chain order. */
    public List<JobResultEvent> results(long fromBlock) throws RpcException, InterruptedException {
        List<JobResultEvent> results = new ArrayList<>();
        for (Log entry : logs(TangleSignatures.JOB_RESULT_SUBMITTED_TOPIC, fromBlock)) {
            results.add(decode(entry, JobResultEvent::decode));
        }
        return results;
    }

    /** Returns the results that {@code operator} submitted, in chain order. */
    public List<JobResultEvent> resultsFrom(String operator, long fromBlock) throws RpcException, InterruptedException {
        return results(fromBlock).stream().filter(result -> result.operator().equalsIgnoreCase(operator)).toList();
    }

    private List<Log> logs(String topic0, long fromBlock) throws RpcException, InterruptedException {
        long head = Rpc.send(web3j.ethBlockNumber()).getBlockNumber().longValueExact();
        List<Log> logs = new ArrayList<>();
        for (long from = fromBlock; from <= head; from += MAX_BLOCK_RANGE) {
            long to = Math.min(head, from + MAX_BLOCK_RANGE - 1);
            EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(to)), contract);
            filter.addSingleTopic(topic0);
            filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(serviceId), 64));
            for (EthLog.LogResult<?> result : Rpc.send(web3j.ethGetLogs(filter)).getLogs()) {
                logs.add((Log) result.get());
            }
        }
        return logs;
    }

    @FunctionalInterface
    private interface Decoder<T> {
        T decode(Log log) throws MalformedLogException;
    }

    private static <T> T decode(Log entry, Decoder<T> decoder) {
        try {
            return decoder.decode(entry);
        } catch (MalformedLogException e) {
            throw new AssertionError("malformed log in transaction " + entry.getTransactionHash() + ": " + e.getMessage(), e);
        }
    }
}
