package io.tangle.microvm.app.testing;

import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.TangleFunctions;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.web3j.abi.FunctionEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * Submits many job calls quickly: it signs each {@code submitJob} locally with a nonce counted per
 * sender and sends it without waiting for its receipt. One thread must send all transactions, so
 * they reach the node in nonce order. On Anvil with automatic mining each one is mined on arrival,
 * so chain order is send order.
 */
public final class JobSender {

    /** Enough for {@code submitJob} with inputs of a few hundred bytes on the local contract. */
    private static final BigInteger GAS_LIMIT = BigInteger.valueOf(1_000_000);

    /** One job call to submit, as {@code caller}. */
    public record Job(Credentials caller, int jobIndex, byte[] inputs) {

        public Job {
            Objects.requireNonNull(caller, "caller");
            inputs = inputs.clone();
        }

        @Override
        public byte[] inputs() {
            return inputs.clone();
        }
    }

    private final Web3j web3j;
    private final String contract;
    private final long serviceId;
    private final long chainId;
    private final Map<String, BigInteger> nextNonce = new HashMap<>();

    public JobSender(Web3j web3j, String contract, long serviceId, long chainId) {
        this.web3j = Objects.requireNonNull(web3j, "web3j");
        this.contract = Objects.requireNonNull(contract, "contract");
        this.serviceId = serviceId;
        this.chainId = chainId;
    }

    /**
     * Sends the jobs in order and returns their transaction hashes in the same order.
     *
     * @throws IllegalStateException when the node rejects a transaction
     */
    public List<String> send(List<Job> jobs) throws RpcException, InterruptedException {
        BigInteger gasPrice = Rpc.send(web3j.ethGasPrice()).getGasPrice();
        List<String> hashes = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            BigInteger nonce = allocateNonce(job.caller());
            String data = FunctionEncoder.encode(TangleFunctions.submitJob(serviceId, job.jobIndex(), job.inputs()));
            RawTransaction transaction = RawTransaction.createTransaction(nonce, gasPrice, GAS_LIMIT, contract,
                    BigInteger.ZERO, data);
            String signed = Numeric.toHexString(TransactionEncoder.signMessage(transaction, chainId, job.caller()));

            EthSendTransaction reply = Rpc.send(web3j.ethSendRawTransaction(signed));
            if (reply.hasError()) {
                throw new IllegalStateException("the node rejected submitJob " + job.jobIndex() + " from "
                        + job.caller().getAddress() + " with nonce " + nonce + ": " + reply.getError().getMessage());
            }
            hashes.add(reply.getTransactionHash());
        }
        return hashes;
    }

    /**
     * Waits until every transaction is mined and checks that none reverted. Since each sender's
     * transactions are mined in nonce order, this waits for the last one first.
     *
     * @throws AssertionError when a receipt is missing after {@code timeout} or shows a revert
     */
    public void awaitMined(List<String> hashes, Duration timeout) throws InterruptedException {
        if (hashes.isEmpty()) {
            return;
        }
        String last = hashes.get(hashes.size() - 1);
        Await.until("receipt of transaction " + last, timeout, () -> receipt(last).isPresent());

        for (String hash : hashes) {
            TransactionReceipt receipt = Await.value("receipt of transaction " + hash, timeout, () -> receipt(hash));
            if (!receipt.isStatusOK()) {
                throw new AssertionError("submitJob transaction " + hash + " reverted in block " + receipt.getBlockNumber());
            }
        }
    }

    private Optional<TransactionReceipt> receipt(String hash) throws RpcException, InterruptedException {
        return Rpc.send(web3j.ethGetTransactionReceipt(hash)).getTransactionReceipt();
    }

    private BigInteger allocateNonce(Credentials caller) throws RpcException, InterruptedException {
        String address = caller.getAddress().toLowerCase(Locale.ROOT);
        BigInteger nonce = nextNonce.get(address);
        if (nonce == null) {
            nonce = Rpc.send(web3j.ethGetTransactionCount(address, DefaultBlockParameterName.PENDING)).getTransactionCount();
        }
        nextNonce.put(address, nonce.add(BigInteger.ONE));
        return nonce;
    }
}
