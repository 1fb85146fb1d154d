package io.tangle.microvm.app.bench;

import io.tangle.microvm.chain.JobSubmittedDecoder;
import io.tangle.microvm.chain.JobSubmittedEvent;
import io.tangle.microvm.chain.MalformedLogException;
import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.TangleFunctions;
import io.tangle.microvm.chain.TangleSignatures;
import io.tangle.microvm.chain.local.AnvilControl;
import io.tangle.microvm.chain.local.LocalDeployment;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.FunctionEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * Puts many job calls on the local chain quickly. With Anvil's automatic mining off, it signs
 * {@code submitJob} transactions from the service owner with consecutive nonces, sends them
 * without waiting for receipts, and then mines blocks with {@code anvil_mine} until every one is
 * included. Each block holds as many calls as fit its gas limit. The wall-clock time at which
 * each block was mined is kept as the start of the latency of the calls in it.
 */
final class CallLoader {

    private static final Logger log = LoggerFactory.getLogger(CallLoader.class);

    /** The gas limit of each call as a percentage of the node's estimate for the first one. */
    private static final int GAS_HEADROOM_PERCENT = 150;

    private static final int LOG_RANGE_BLOCKS = 1000;

    /** One job call to submit. */
    record JobInput(int jobIndex, byte[] inputs) {
    }

    /**
     * A job call on chain.
     *
     * @param minedAtNanos {@link System#nanoTime()} right after {@code anvil_mine} returned for its block
     */
    record LoadedCall(long callId, long blockNumber, long minedAtNanos) {
    }

    private final Web3j web3j;
    private final AnvilControl control;
    private final LocalDeployment deployment;

    CallLoader(Web3j web3j, AnvilControl control, LocalDeployment deployment) {
        this.web3j = web3j;
        this.control = control;
        this.deployment = deployment;
    }

    /**
     * Submits {@code calls} in order, {@code batchSize} transactions at a time, each batch mined
     * before the next is sent, and returns them with their call ids in call id order. Automatic
     * mining is on again when this returns, also after a failure.
     */
    List<LoadedCall> load(List<JobInput> calls, int batchSize) throws RpcException, InterruptedException {
        Credentials owner = deployment.owner();
        String contract = deployment.contractAddress();
        BigInteger gasPrice = Rpc.send(web3j.ethGasPrice()).getGasPrice();
        BigInteger gasLimit = estimateGas(owner, contract, calls.get(0));
        BigInteger nonce = Rpc.send(web3j.ethGetTransactionCount(owner.getAddress(), DefaultBlockParameterName.PENDING))
                .getTransactionCount();
        long firstBlock = blockNumber() + 1;
        Map<Long, Long> minedAt = new HashMap<>();

        control.setAutomine(false);
        try {
            for (int start = 0; start < calls.size(); start += batchSize) {
                List<JobInput> batch = calls.subList(start, Math.min(calls.size(), start + batchSize));
                for (JobInput call : batch) {
                    send(owner, contract, nonce, gasPrice, gasLimit, call);
                    nonce = nonce.add(BigInteger.ONE);
                }
                mineUntilIncluded(owner.getAddress(), nonce, batch.size(), minedAt);
            }
        } finally {
            control.setAutomine(true);
            // Transactions of other senders that reached the pool while mining was manual would
            // otherwise wait for the next transaction to arrive.
            control.mine(1);
        }

        long lastBlock = minedAt.keySet().stream().mapToLong(Long::longValue).max().orElse(firstBlock);
        List<LoadedCall> loaded = readCalls(firstBlock, lastBlock, owner.getAddress(), minedAt);
        if (loaded.size() != calls.size()) {
            throw new IllegalStateException("submitted " + calls.size() + " job calls but found " + loaded.size()
                    + " JobSubmitted events in blocks " + firstBlock + " to " + lastBlock);
        }
        log.info("loaded {} job calls into blocks {} to {}", loaded.size(), firstBlock, lastBlock);
        return loaded;
    }

    private BigInteger estimateGas(Credentials owner, String contract, JobInput sample)
            throws RpcException, InterruptedException {
        String data = FunctionEncoder.encode(TangleFunctions.submitJob(deployment.serviceId(), sample.jobIndex(),
                sample.inputs()));
        BigInteger estimate = Rpc.send(web3j.ethEstimateGas(
                Transaction.createEthCallTransaction(owner.getAddress(), contract, data))).getAmountUsed();
        return estimate.multiply(BigInteger.valueOf(GAS_HEADROOM_PERCENT)).divide(BigInteger.valueOf(100));
    }

    private void send(Credentials owner, String contract, BigInteger nonce, BigInteger gasPrice, BigInteger gasLimit,
            JobInput call) throws RpcException, InterruptedException {
        String data = FunctionEncoder.encode(TangleFunctions.submitJob(deployment.serviceId(), call.jobIndex(),
                call.inputs()));
        RawTransaction raw = RawTransaction.createTransaction(nonce, gasPrice, gasLimit, contract, BigInteger.ZERO, data);
        byte[] signed = TransactionEncoder.signMessage(raw, deployment.chainId(), owner);
        Rpc.send(web3j.ethSendRawTransaction(Numeric.toHexString(signed)));
    }

    /** Mines one block at a time until the owner's mined transaction count reaches {@code expectedNonce}. */
    private void mineUntilIncluded(String owner, BigInteger expectedNonce, int batchSize, Map<Long, Long> minedAt)
            throws RpcException, InterruptedException {
        // Every block takes at least one call, so more blocks than calls means the pool lost some.
        for (int blocks = 0; blocks <= batchSize; blocks++) {
            control.mine(1);
            long now = System.nanoTime();
            minedAt.put(blockNumber(), now);
            BigInteger mined = Rpc.send(web3j.ethGetTransactionCount(owner, DefaultBlockParameterName.LATEST))
                    .getTransactionCount();
            if (mined.compareTo(expectedNonce) >= 0) {
                return;
            }
        }
        throw new IllegalStateException("job calls of " + owner + " up to nonce " + expectedNonce
                + " were still not mined after " + (batchSize + 1) + " blocks; see the Anvil log");
    }

    private List<LoadedCall> readCalls(long firstBlock, long lastBlock, String owner, Map<Long, Long> minedAt)
            throws RpcException, InterruptedException {
        List<LoadedCall> loaded = new ArrayList<>();
        for (long from = firstBlock; from <= lastBlock; from += LOG_RANGE_BLOCKS) {
            long to = Math.min(lastBlock, from + LOG_RANGE_BLOCKS - 1);
            EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(to)), deployment.contractAddress());
            filter.addSingleTopic(TangleSignatures.JOB_SUBMITTED_TOPIC);
            filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(deployment.serviceId()), 64));
            for (EthLog.LogResult<?> result : Rpc.send(web3j.ethGetLogs(filter)).getLogs()) {
                Log entry = (Log) result.get();
                JobSubmittedEvent event = decode(entry);
                if (event.caller().equalsIgnoreCase(owner)) {
                    long block = entry.getBlockNumber().longValueExact();
                    loaded.add(new LoadedCall(event.callId(), block, minedAt.get(block)));
                }
            }
        }
        loaded.sort(Comparator.comparingLong(LoadedCall::callId));
        return loaded;
    }

    private static JobSubmittedEvent decode(Log entry) {
        try {
            return JobSubmittedDecoder.decode(entry);
        } catch (MalformedLogException e) {
            throw new IllegalStateException("malformed JobSubmitted log in transaction " + entry.getTransactionHash()
                    + ": " + e.getMessage(), e);
        }
    }

    private long blockNumber() throws RpcException, InterruptedException {
        return Rpc.send(web3j.ethBlockNumber()).getBlockNumber().longValueExact();
    }
}
