package io.tangle.microvm.chain;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Sends one transaction at a time from one key and waits for its receipt: for setup steps such as
 * deploying, registering an operator or submitting a job, not for the operator's results (see
 * {@link ResultSubmitter}). Each transaction reads the nonce from the node, so calls for one key
 * must not overlap.
 */
public final class TransactionRunner {

    private static final Logger log = LoggerFactory.getLogger(TransactionRunner.class);
    private static final Duration RECEIPT_POLL_INTERVAL = Duration.ofMillis(100);
    private static final int GAS_LIMIT_PERCENT = 130;

    private final TransactionSupport support;
    private final Credentials credentials;
    private final Duration receiptTimeout;
    private volatile Long chainId;

    public TransactionRunner(Web3j web3j, Credentials credentials, Duration receiptTimeout) {
        this.support = new TransactionSupport(Objects.requireNonNull(web3j, "web3j"));
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.receiptTimeout = Objects.requireNonNull(receiptTimeout, "receiptTimeout");
    }

    /** Returns the sender's address. */
    public String address() {
        return credentials.getAddress();
    }

    /** Calls a contract function without value; see {@link #call(String, Function, BigInteger)}. */
    public TransactionReceipt call(String contractAddress, Function function) throws RpcException, InterruptedException {
        return call(contractAddress, function, BigInteger.ZERO);
    }

    /**
     * Calls a contract function in a transaction and returns its successful receipt.
     *
     * @throws ContractRevertException if the call reverts, before sending or on chain
     * @throws TransactionTimeoutException if no receipt arrives within the receipt timeout
     * @throws RpcException if a request to the node fails
     */
    public TransactionReceipt call(String contractAddress, Function function, BigInteger value) throws RpcException, InterruptedException {
        return send(function.getName(), contractAddress, FunctionEncoder.encode(function), value);
    }

    /** Deploys a contract from its creation bytecode ({@code 0x} hex) and returns the receipt with its address. */
    public TransactionReceipt deploy(String bytecode) throws RpcException, InterruptedException {
        return send("deployment", null, bytecode, BigInteger.ZERO);
    }

    private TransactionReceipt send(String what, String to, String data, BigInteger value) throws RpcException, InterruptedException {
        BigInteger gasLimit = switch (support.estimateGas(credentials.getAddress(), to, data, value)) {
            case TransactionSupport.Estimated estimated ->
                    estimated.gas().multiply(BigInteger.valueOf(GAS_LIMIT_PERCENT)).divide(BigInteger.valueOf(100));
            case TransactionSupport.WouldRevert revert -> throw reverted(what, revert.revertData(), revert.message());
            case TransactionSupport.NoEstimate none -> SubmitterConfig.DEFAULT_FALLBACK_GAS_LIMIT;
        };

        BigInteger nonce = support.pendingNonce(credentials.getAddress());
        TransactionSupport.SignedTransaction transaction = TransactionSupport.sign(credentials, chainId(), nonce,
                support.gasPrice(), gasLimit, to, value, data);
        TransactionSupport.SendResult sent = support.send(transaction);
        if (sent.outcome() != TransactionSupport.SendOutcome.ACCEPTED) {
            throw sent.error().revertData().isPresent()
                    ? new ContractRevertException(what, sent.error().revertData().get(), sent.error())
                    : new IllegalStateException(what + " from " + credentials.getAddress() + " was rejected by the node: "
                            + sent.error().getMessage(), sent.error());
        }

        TransactionReceipt receipt = awaitReceipt(what, transaction.hash());
        if (!receipt.isStatusOK()) {
            Optional<RevertData> reason = support.revertReason(credentials.getAddress(), to, data, value);
            throw reverted(what + " in transaction " + receipt.getTransactionHash(), reason, "status 0 without revert data");
        }
        log.debug("{} from {} mined in block {} (tx {})", what, credentials.getAddress(), receipt.getBlockNumber(), receipt.getTransactionHash());
        return receipt;
    }

    private TransactionReceipt awaitReceipt(String what, String hash) throws RpcException, InterruptedException {
        long deadline = System.nanoTime() + receiptTimeout.toNanos();
        while (true) {
            Optional<TransactionReceipt> receipt = support.receipt(hash);
            if (receipt.isPresent()) {
                return receipt.get();
            }
            if (System.nanoTime() >= deadline) {
                throw new TransactionTimeoutException(hash, "no receipt for " + what + " transaction " + hash + " within "
                        + receiptTimeout.toMillis() + " ms; it may still be mined");
            }
            Thread.sleep(RECEIPT_POLL_INTERVAL);
        }
    }

    private long chainId() throws RpcException, InterruptedException {
        Long known = chainId;
        if (known == null) {
            known = support.chainId();
            chainId = known;
        }
        return known;
    }

    private static RuntimeException reverted(String what, Optional<RevertData> revertData, String message) {
        if (revertData.isPresent()) {
            return new ContractRevertException(what, revertData.get(), null);
        }
        return new IllegalStateException(what + " reverted without revert data: " + message);
    }
}
