package io.tangle.microvm.chain;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
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
 * {@link ResultSubmitter}). Each transaction reads the nonce from the node. When another sender of
 * the same key takes that nonce first, as several {@code call} commands started at once do, the
 * transaction is signed again with the next nonce, up to {@value #NONCE_ATTEMPTS} times.
 */
public final class TransactionRunner {

    private static final Logger log = LoggerFactory.getLogger(TransactionRunner.class);
    private static final Duration RECEIPT_POLL_INTERVAL = Duration.ofMillis(100);
    private static final int GAS_LIMIT_PERCENT = 130;
    private static final int NONCE_ATTEMPTS = 20;
    private static final long MAX_NONCE_RETRY_PAUSE_MILLIS = 50;

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

        TransactionSupport.SignedTransaction transaction = signAndSend(what, to, data, value, gasLimit);

        TransactionReceipt receipt = awaitReceipt(what, transaction.hash());
        if (!receipt.isStatusOK()) {
            Optional<RevertData> reason = support.revertReason(credentials.getAddress(), to, data, value);
            throw reverted(what + " in transaction " + receipt.getTransactionHash(), reason, "status 0 without revert data");
        }
        log.debug("{} from {} mined in block {} (tx {})", what, credentials.getAddress(), receipt.getBlockNumber(), receipt.getTransactionHash());
        return receipt;
    }

    /** Signs with the node's pending nonce and sends, again with a fresh nonce while another sender takes it first. */
    private TransactionSupport.SignedTransaction signAndSend(String what, String to, String data, BigInteger value,
            BigInteger gasLimit) throws RpcException, InterruptedException {
        BigInteger gasPrice = support.gasPrice();
        for (int attempt = 1; ; attempt++) {
            BigInteger nonce = support.pendingNonce(credentials.getAddress());
            TransactionSupport.SignedTransaction transaction = TransactionSupport.sign(credentials, chainId(), nonce,
                    gasPrice, gasLimit, to, value, data);
            TransactionSupport.SendResult sent = support.send(transaction);
            switch (sent.outcome()) {
                case ACCEPTED -> {
                    return transaction;
                }
                case NONCE_USED -> {
                    if (attempt >= NONCE_ATTEMPTS) {
                        throw new TransactionRejectedException(what + " from " + credentials.getAddress()
                                + " was not sent: another sender of this key took the nonce first " + NONCE_ATTEMPTS
                                + " times (last: " + sent.error().errorMessage() + "); send fewer transactions of this"
                                + " key at once, and try again", sent.error());
                    }
                    log.debug("nonce {} of {} was taken by another sender (attempt {}); signing {} again", nonce,
                            credentials.getAddress(), attempt, what);
                    // A random pause, so that senders that raced for this nonce spread out for the next one.
                    Thread.sleep(ThreadLocalRandom.current().nextLong(1, MAX_NONCE_RETRY_PAUSE_MILLIS + 1));
                }
                case REJECTED -> throw sent.error().revertData().isPresent()
                        ? new ContractRevertException(what, sent.error().revertData().get(), sent.error())
                        : new TransactionRejectedException(what + " from " + credentials.getAddress()
                                + " was rejected by the node, so nothing was sent: " + sent.error().getMessage(), sent.error());
            }
        }
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
