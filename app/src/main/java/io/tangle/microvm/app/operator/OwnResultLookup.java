package io.tangle.microvm.app.operator;

import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.TangleSignatures;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * Finds the transaction in which this operator submitted the result of a call, from its
 * {@code JobResultSubmitted} log. A restarted operator needs it when a result it sent before a kill
 * was mined but never recorded, because the contract then reports only that the call is completed,
 * not which operator submitted its result.
 */
final class OwnResultLookup {

    private final Web3j web3j;
    private final String contract;
    private final String operatorTopic;
    private final long maxBlockRange;

    OwnResultLookup(Web3j web3j, String contract, String operatorAddress, long maxBlockRange) {
        this.web3j = Objects.requireNonNull(web3j, "web3j");
        this.contract = Objects.requireNonNull(contract, "contract");
        this.operatorTopic = Numeric.toHexStringWithPrefixZeroPadded(Numeric.toBigInt(operatorAddress), 64);
        this.maxBlockRange = maxBlockRange;
    }

    /**
     * Returns the hash of the transaction in which this operator submitted the call's result, searching from
     * {@code fromBlock} to the head in ranges of at most the configured block range, or empty when
     * no such log exists there.
     */
    Optional<String> find(long serviceId, long callId, long fromBlock) throws RpcException, InterruptedException {
        long head = Rpc.send(web3j.ethBlockNumber()).getBlockNumber().longValueExact();
        for (long from = Math.max(0, fromBlock); from <= head; from += maxBlockRange) {
            long to = Math.min(head, from + maxBlockRange - 1);
            EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(to)), contract);
            filter.addSingleTopic(TangleSignatures.JOB_RESULT_SUBMITTED_TOPIC);
            filter.addSingleTopic(uint64Topic(serviceId));
            filter.addSingleTopic(uint64Topic(callId));
            filter.addSingleTopic(operatorTopic);

            List<EthLog.LogResult> logs = Rpc.send(web3j.ethGetLogs(filter)).getLogs();
            for (EthLog.LogResult<?> result : logs) {
                if (result.get() instanceof Log entry && !entry.isRemoved()) {
                    return Optional.of(entry.getTransactionHash());
                }
            }
        }
        return Optional.empty();
    }

    private static String uint64Topic(long value) {
        return Numeric.toHexStringWithPrefixZeroPadded(new BigInteger(Long.toUnsignedString(value)), 64);
    }
}
