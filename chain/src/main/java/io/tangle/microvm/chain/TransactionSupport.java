package io.tangle.microvm.chain;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/** The steps of sending a transaction, each one JSON-RPC request. Stateless and thread-safe. */
final class TransactionSupport {

    /** Outcome of {@code eth_estimateGas}. */
    sealed interface GasEstimate {
    }

    /** The node estimated the gas the transaction needs. */
    record Estimated(BigInteger gas) implements GasEstimate {
    }

    /** The transaction would revert; {@code revertData} is absent when the node gave no data. */
    record WouldRevert(Optional<RevertData> revertData, String message) implements GasEstimate {
    }

    /** The node gave an error that is not a revert, so no estimate is available. */
    record NoEstimate(String message) implements GasEstimate {
    }

    /** A signed transaction, ready to send as often as needed: sending it again cannot duplicate it. */
    record SignedTransaction(BigInteger nonce, String rawHex, String hash) {
    }

    /** Outcome of {@code eth_sendRawTransaction}. */
    enum SendOutcome {
        /** The node accepted it, now or before. */
        ACCEPTED,
        /** The node reports the nonce as used, by this transaction or another one. */
        NONCE_USED,
        /** The node rejected the transaction: it did not enter the pool. */
        REJECTED
    }

    /** A send outcome and, for a rejection, the node's error. */
    record SendResult(SendOutcome outcome, RpcException error) {
    }

    private final Web3j web3j;

    TransactionSupport(Web3j web3j) {
        this.web3j = web3j;
    }

    long chainId() throws RpcException, InterruptedException {
        return Rpc.send(web3j.ethChainId()).getChainId().longValueExact();
    }

    BigInteger gasPrice() throws RpcException, InterruptedException {
        return Rpc.send(web3j.ethGasPrice()).getGasPrice();
    }

    BigInteger pendingNonce(String address) throws RpcException, InterruptedException {
        return Rpc.send(web3j.ethGetTransactionCount(address, DefaultBlockParameterName.PENDING)).getTransactionCount();
    }

    /** Estimates gas with {@code from} set, so the contract's checks on the sender run as they will on chain. */
    GasEstimate estimateGas(String from, String to, String data, BigInteger value) throws RpcException, InterruptedException {
        Transaction call = new Transaction(from, null, null, null, to, value, data);
        try {
            return new Estimated(Rpc.send(web3j.ethEstimateGas(call)).getAmountUsed());
        } catch (RpcException e) {
            if (e.isTransport()) {
                throw e;
            }
            Optional<RevertData> revert = e.revertData();
            if (revert.isPresent() || e.errorMessage().toLowerCase(Locale.ROOT).contains("revert")) {
                return new WouldRevert(revert, e.errorMessage());
            }
            return new NoEstimate(e.getMessage());
        }
    }

    /**
     * Runs the call with {@code eth_call} at the latest block and returns its revert data if it
     * reverts. Used to learn why a mined transaction reverted, since receipts carry no reason.
     */
    Optional<RevertData> revertReason(String from, String to, String data, BigInteger value) throws RpcException, InterruptedException {
        Transaction call = new Transaction(from, null, null, null, to, value, data);
        try {
            Rpc.send(web3j.ethCall(call, DefaultBlockParameterName.LATEST));
            return Optional.empty();
        } catch (RpcException e) {
            if (e.isTransport()) {
                throw e;
            }
            return e.revertData();
        }
    }

    /** Signs a legacy (type 0) transaction with EIP-155 replay protection. */
    static SignedTransaction sign(Credentials credentials, long chainId, BigInteger nonce, BigInteger gasPrice,
            BigInteger gasLimit, String to, BigInteger value, String data) {
        RawTransaction raw = to == null
                ? RawTransaction.createContractTransaction(nonce, gasPrice, gasLimit, value, data)
                : RawTransaction.createTransaction(nonce, gasPrice, gasLimit, to, value, data);
        byte[] signed = TransactionEncoder.signMessage(raw, chainId, credentials);
        return new SignedTransaction(nonce, Numeric.toHexString(signed), Numeric.toHexString(Hash.sha3(signed)));
    }

    /**
     * Sends a signed transaction.
     *
     * @throws RpcException for a transport failure only: the node may or may not have received it
     */
    SendResult send(SignedTransaction transaction) throws RpcException, InterruptedException {
        try {
            Rpc.send(web3j.ethSendRawTransaction(transaction.rawHex()));
            return new SendResult(SendOutcome.ACCEPTED, null);
        } catch (RpcException e) {
            if (e.isTransport()) {
                throw e;
            }
            String message = e.errorMessage().toLowerCase(Locale.ROOT);
            if (message.contains("already known") || message.contains("known transaction") || message.contains("already imported")) {
                return new SendResult(SendOutcome.ACCEPTED, null);
            }
            if (message.contains("nonce too low") || message.contains("nonce has already been used")
                    || message.contains("replacement transaction underpriced")) {
                return new SendResult(SendOutcome.NONCE_USED, e);
            }
            return new SendResult(SendOutcome.REJECTED, e);
        }
    }

    /** Returns the hash of the chain's block at {@code number} in lowercase, or empty when the chain is shorter. */
    Optional<String> blockHash(long number) throws RpcException, InterruptedException {
        EthBlock.Block block = Rpc.send(web3j.ethGetBlockByNumber(
                DefaultBlockParameter.valueOf(BigInteger.valueOf(number)), false)).getBlock();
        return Optional.ofNullable(block).map(found -> found.getHash().toLowerCase(Locale.ROOT));
    }

    Optional<TransactionReceipt> receipt(String transactionHash) throws RpcException, InterruptedException {
        return Rpc.send(web3j.ethGetTransactionReceipt(transactionHash)).getTransactionReceipt();
    }

    /** Returns whether the node has the transaction, pending or mined. */
    boolean isKnown(String transactionHash) throws RpcException, InterruptedException {
        return Rpc.send(web3j.ethGetTransactionByHash(transactionHash)).getTransaction().isPresent();
    }
}
