package io.tangle.microvm.chain.local;

import io.tangle.microvm.chain.JobCallInfo;
import io.tangle.microvm.chain.JobResultEvent;
import io.tangle.microvm.chain.JobSubmittedDecoder;
import io.tangle.microvm.chain.JobSubmittedEvent;
import io.tangle.microvm.chain.MalformedLogException;
import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.TangleFunctions;
import io.tangle.microvm.chain.TangleQueries;
import io.tangle.microvm.chain.TangleSignatures;
import io.tangle.microvm.chain.TransactionRunner;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.datatypes.Function;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * The customer side of a service: submits job calls as one key and waits for their results.
 * Calls for one client must not overlap, because each transaction reads its nonce from the node.
 */
public final class JobClient {

    private static final Logger log = LoggerFactory.getLogger(JobClient.class);

    private static final Duration RECEIPT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RESULT_POLL_INTERVAL = Duration.ofMillis(200);
    private static final long MAX_BLOCK_RANGE = 1000;

    /** A submitted job call. */
    public record Submission(long serviceId, long callId, String transactionHash, long blockNumber) {
    }

    private final Web3j web3j;
    private final String contractAddress;
    private final TransactionRunner caller;
    private final TangleQueries queries;

    public JobClient(Web3j web3j, String contractAddress, Credentials callerKey) {
        this.web3j = Objects.requireNonNull(web3j, "web3j");
        this.contractAddress = Objects.requireNonNull(contractAddress, "contractAddress");
        this.caller = new TransactionRunner(web3j, callerKey, RECEIPT_TIMEOUT);
        this.queries = new TangleQueries(web3j, contractAddress);
    }

    /**
     * Submits a job call and returns its call id, read from the receipt's {@code JobSubmitted} log.
     *
     * @throws io.tangle.microvm.chain.ContractRevertException if the contract rejects the call, for
     *         example with {@code NotPermittedCaller} or {@code InvalidJobIndex}
     */
    public Submission submitJob(long serviceId, int jobIndex, byte[] inputs) throws RpcException, InterruptedException {
        return submit(TangleFunctions.submitJob(serviceId, jobIndex, inputs));
    }

    /**
     * Submits a job call that announces itself with {@code JobSubmittedFromQuote} naming
     * {@code quotedOperators}. Only the local contract has this call; the real one takes signed quotes.
     */
    public Submission submitJobFromQuote(long serviceId, int jobIndex, byte[] inputs, List<String> quotedOperators)
            throws RpcException, InterruptedException {
        return submit(LocalTangleFunctions.submitJobFromQuoteUnsigned(serviceId, jobIndex, inputs, quotedOperators));
    }

    /** Waits for the first result of a call, scanning from block 0; see {@link #awaitResult(long, long, long, Duration)}. */
    public Optional<JobResultEvent> awaitResult(long serviceId, long callId, Duration timeout) throws RpcException, InterruptedException {
        return awaitResult(serviceId, callId, 0, timeout);
    }

    /**
     * Polls {@code eth_getLogs} for the call's first {@code JobResultSubmitted} event at or after
     * {@code fromBlock}, and returns it, or empty when none appears within {@code timeout}.
     */
    public Optional<JobResultEvent> awaitResult(long serviceId, long callId, long fromBlock, Duration timeout)
            throws RpcException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long next = fromBlock;
        while (true) {
            long latest = Rpc.send(web3j.ethBlockNumber()).getBlockNumber().longValueExact();
            while (next <= latest) {
                long to = Math.min(latest, next + MAX_BLOCK_RANGE - 1);
                Optional<JobResultEvent> found = findResult(serviceId, callId, next, to);
                if (found.isPresent()) {
                    return found;
                }
                next = to + 1;
            }
            if (System.nanoTime() >= deadline) {
                return Optional.empty();
            }
            Thread.sleep(RESULT_POLL_INTERVAL);
        }
    }

    /** Reads the call's on-chain record; see {@link TangleQueries#getJobCall}. */
    public JobCallInfo getJobCall(long serviceId, long callId) throws RpcException, InterruptedException {
        return queries.getJobCall(serviceId, callId);
    }

    private Submission submit(Function function) throws RpcException, InterruptedException {
        TransactionReceipt receipt = caller.call(contractAddress, function);
        for (Log entry : receipt.getLogs()) {
            if (contractAddress.equalsIgnoreCase(entry.getAddress()) && JobSubmittedDecoder.isJobSubmission(entry)) {
                try {
                    JobSubmittedEvent event = JobSubmittedDecoder.decode(entry);
                    log.info("Submitted job {} as call {} of service {} in transaction {}", event.jobIndex(), event.callId(),
                            event.serviceId(), receipt.getTransactionHash());
                    return new Submission(event.serviceId(), event.callId(), receipt.getTransactionHash(),
                            receipt.getBlockNumber().longValueExact());
                } catch (MalformedLogException e) {
                    throw new IllegalStateException("transaction " + receipt.getTransactionHash() + " emitted a malformed job log: "
                            + e.getMessage(), e);
                }
            }
        }
        throw new IllegalStateException("transaction " + receipt.getTransactionHash() + " emitted no JobSubmitted event from " + contractAddress);
    }

    private Optional<JobResultEvent> findResult(long serviceId, long callId, long from, long to) throws RpcException, InterruptedException {
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(to)), contractAddress);
        filter.addSingleTopic(TangleSignatures.JOB_RESULT_SUBMITTED_TOPIC);
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(serviceId), 64));
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(callId), 64));

        EthLog reply = Rpc.send(web3j.ethGetLogs(filter));
        if (reply.getLogs() == null) {
            return Optional.empty();
        }
        for (EthLog.LogResult<?> result : reply.getLogs()) {
            if (result.get() instanceof Log entry && !entry.isRemoved()) {
                try {
                    return Optional.of(JobResultEvent.decode(entry));
                } catch (MalformedLogException e) {
                    log.warn("Skipping malformed JobResultSubmitted log in transaction {}: {}", entry.getTransactionHash(), e.getMessage());
                }
            }
        }
        return Optional.empty();
    }
}
