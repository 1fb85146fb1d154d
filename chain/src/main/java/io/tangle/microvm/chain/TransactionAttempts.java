package io.tangle.microvm.chain;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.FunctionEncoder;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The attempts to land one {@code submitResult} transaction; used once, on one thread.
 *
 * <p>An attempt estimates gas (which also reveals a revert before anything is sent), signs with a
 * fresh nonce, sends, and waits for the receipt. Once a signed transaction may have reached the
 * node, it is never replaced by one with another nonce while it can still be mined: later attempts
 * send the same signed bytes again and keep waiting. A transaction is replaced only when the node
 * shows that its nonce went to a different transaction.
 */
final class ResultSubmission {

    private static final Logger log = LoggerFactory.getLogger(ResultSubmitter.class);

    /** An attempt that failed in a way worth retrying. The message gives the reason. */
    private static final class AttemptFailed extends Exception {
        private static final long serialVersionUID = 1L;

        AttemptFailed(String message) {
            super(message);
        }
    }

    private final ResultSubmitter.Context context;
    private final long serviceId;
    private final long callId;
    private final String calldata;

    private TransactionSupport.SignedTransaction pending;
    private String lastTransactionHash;

    ResultSubmission(ResultSubmitter.Context context, long serviceId, long callId, byte[] result) {
        this.context = context;
        this.serviceId = serviceId;
        this.callId = callId;
        this.calldata = FunctionEncoder.encode(TangleFunctions.submitResult(serviceId, callId, result));
    }

    SubmissionResult run() {
        long startedNanos = System.nanoTime();
        int maxAttempts = context.config().maxAttempts();
        String lastError = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            try {
                SubmissionResult result = attempt(attempt);
                logSuccess(result, startedNanos);
                return result;
            } catch (AttemptFailed | RpcException e) {
                lastError = e.getMessage();
            } catch (RuntimeException e) {
                // An unexpected reply or a bug: count it as a failed attempt, because a submission
                // must end in a result and never take its caller down.
                log.error("Unexpected error submitting the result of service {} call {} (attempt {})", serviceId, callId, attempt, e);
                lastError = "unexpected error: " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return failed(attempt, "interrupted while submitting; the last transaction may still be mined");
            }

            if (attempt < maxAttempts) {
                Duration delay = context.config().backoffAfter(attempt);
                log.warn("Submitting the result of service {} call {} failed (attempt {}/{}), retrying in {} ms: {}",
                        serviceId, callId, attempt, maxAttempts, delay.toMillis(), lastError);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return failed(attempt, "interrupted while waiting to retry after: " + lastError);
                }
            }
        }

        String error = pending == null ? lastError
                : lastError + "; transaction " + pending.hash() + " with nonce " + pending.nonce() + " may still be mined";
        log.error("Giving up on the result of service {} call {} after {} attempts: {}", serviceId, callId, maxAttempts, error);
        return failed(maxAttempts, error);
    }

    private SubmissionResult attempt(int attempt) throws AttemptFailed, RpcException, InterruptedException {
        if (pending == null) {
            SubmissionResult finished = signAndSend(attempt);
            if (finished != null) {
                return finished;
            }
        } else {
            log.info("Sending transaction {} for service {} call {} again and waiting for its receipt (attempt {})",
                    pending.hash(), serviceId, callId, attempt);
            rebroadcast();
        }

        TransactionReceipt receipt = awaitReceipt();
        if (receipt == null) {
            throw new AttemptFailed("no receipt for transaction " + lastTransactionHash + " within "
                    + context.config().receiptTimeout().toMillis() + " ms; it may still be mined, so it is sent again unchanged");
        }

        // The transaction is mined: its nonce is used whatever its status.
        pending = null;
        if (receipt.isStatusOK()) {
            return new SubmissionResult(serviceId, callId, SubmissionResult.Status.SUBMITTED, receipt.getTransactionHash(), attempt, null);
        }
        Optional<RevertData> reason = context.support().revertReason(context.from(), context.contractAddress(), calldata, BigInteger.ZERO);
        if (isAlreadyAnswered(reason)) {
            return alreadyDone(attempt, reason.get(), receipt.getTransactionHash());
        }
        throw new AttemptFailed("transaction " + receipt.getTransactionHash() + " reverted in block " + receipt.getBlockNumber()
                + (reason.isPresent() ? " with " + reason.get().describe() : "; calling it again does not revert, so it may have run out of gas"));
    }

    /** Estimates gas, signs with a new nonce and sends. Returns a result when the call needs no transaction. */
    private SubmissionResult signAndSend(int attempt) throws AttemptFailed, RpcException, InterruptedException {
        TransactionSupport support = context.support();
        BigInteger gasLimit;
        switch (support.estimateGas(context.from(), context.contractAddress(), calldata, BigInteger.ZERO)) {
            case TransactionSupport.Estimated estimated ->
                    gasLimit = estimated.gas().multiply(BigInteger.valueOf(context.config().gasLimitPercent())).divide(BigInteger.valueOf(100));
            case TransactionSupport.WouldRevert revert -> {
                if (isAlreadyAnswered(revert.revertData())) {
                    return alreadyDone(attempt, revert.revertData().get(), null);
                }
                throw new AttemptFailed("submitResult would revert: "
                        + revert.revertData().map(RevertData::describe).orElse(revert.message()));
            }
            case TransactionSupport.NoEstimate none -> {
                log.warn("No gas estimate for service {} call {} ({}); using the fallback gas limit {}",
                        serviceId, callId, none.message(), context.config().fallbackGasLimit());
                gasLimit = context.config().fallbackGasLimit();
            }
        }

        // NOTE: a legacy transaction at the node's current gas price, never re-priced. One stuck
        // below a rising base fee stays pending until the attempts run out.
        long chainId = context.chainId();
        BigInteger gasPrice = support.gasPrice();
        BigInteger finalGasLimit = gasLimit;
        Sending sending = context.nonces().sendInOrder(nonce -> {
            TransactionSupport.SignedTransaction signed = TransactionSupport.sign(context.credentials(), chainId, nonce,
                    gasPrice, finalGasLimit, context.contractAddress(), BigInteger.ZERO, calldata);
            try {
                return new Sending(nonce, signed, support.send(signed), null);
            } catch (RpcException e) {
                return new Sending(nonce, signed, null, e);
            }
        });
        BigInteger nonce = sending.nonce();
        TransactionSupport.SignedTransaction transaction = sending.transaction();

        if (sending.transportFailure() != null) {
            // The node may have received it: keep it and wait, never re-sign this nonce.
            track(transaction);
            log.warn("Sending transaction {} (nonce {}) for service {} call {} failed in transport; waiting for it in case"
                    + " the node received it: {}", transaction.hash(), nonce, serviceId, callId,
                    sending.transportFailure().getMessage());
            return null;
        }
        TransactionSupport.SendResult sent = sending.result();

        switch (sent.outcome()) {
            case ACCEPTED -> {
                track(transaction);
                log.debug("Sent transaction {} (nonce {}, gas limit {}) for service {} call {}",
                        transaction.hash(), nonce, gasLimit, serviceId, callId);
                return null;
            }
            case NONCE_USED -> {
                context.nonces().resync();
                throw new AttemptFailed("nonce " + nonce + " was already used by another transaction of " + context.from()
                        + " (" + sent.error().errorMessage() + "); nonces were read again from the node");
            }
            case REJECTED -> {
                context.nonces().release(nonce);
                Optional<RevertData> revert = sent.error().revertData();
                if (isAlreadyAnswered(revert)) {
                    return alreadyDone(attempt, revert.get(), null);
                }
                throw new AttemptFailed("the node rejected the transaction: " + sent.error().getMessage());
            }
        }
        throw new IllegalStateException("unhandled send outcome " + sent.outcome());
    }

    /** One signed transaction and the result of sending it: the node's reply, or a transport failure. */
    private record Sending(BigInteger nonce, TransactionSupport.SignedTransaction transaction,
            TransactionSupport.SendResult result, RpcException transportFailure) {
    }

    /** Polls for the pending transaction's receipt until the receipt timeout; returns null on timeout. */
    private TransactionReceipt awaitReceipt() throws AttemptFailed, InterruptedException {
        SubmitterConfig config = context.config();
        long deadline = System.nanoTime() + config.receiptTimeout().toNanos();
        long nextRebroadcast = System.nanoTime() + config.rebroadcastInterval().toNanos();
        while (true) {
            try {
                Optional<TransactionReceipt> receipt = context.support().receipt(pending.hash());
                if (receipt.isPresent()) {
                    return receipt.get();
                }
            } catch (RpcException e) {
                log.debug("Receipt request for transaction {} failed, asking again: {}", pending.hash(), e.getMessage());
            }

            long now = System.nanoTime();
            if (now >= deadline) {
                return null;
            }
            if (now >= nextRebroadcast) {
                rebroadcast();
                nextRebroadcast = now + config.rebroadcastInterval().toNanos();
            }
            Thread.sleep(Duration.ofNanos(Math.min(config.receiptPollInterval().toNanos(), deadline - now)));
        }
    }

    /**
     * Sends the pending transaction again, unchanged. When the node reports its nonce as used and
     * does not know the transaction, another transaction took the nonce: this one can never be mined.
     */
    private void rebroadcast() throws AttemptFailed, InterruptedException {
        TransactionSupport.SignedTransaction transaction = pending;
        try {
            TransactionSupport.SendResult sent = context.support().send(transaction);
            if (sent.outcome() == TransactionSupport.SendOutcome.NONCE_USED && !context.support().isKnown(transaction.hash())) {
                pending = null;
                context.nonces().resync();
                throw new AttemptFailed("nonce " + transaction.nonce() + " of transaction " + transaction.hash()
                        + " was taken by another transaction, so this one can never be mined");
            }
            if (sent.outcome() == TransactionSupport.SendOutcome.REJECTED) {
                log.warn("The node rejected transaction {} for service {} call {} when it was sent again: {}",
                        transaction.hash(), serviceId, callId, sent.error().getMessage());
            }
        } catch (RpcException e) {
            log.debug("Sending transaction {} again failed: {}", transaction.hash(), e.getMessage());
        }
    }

    private void track(TransactionSupport.SignedTransaction transaction) {
        pending = transaction;
        lastTransactionHash = transaction.hash();
    }

    private static boolean isAlreadyAnswered(Optional<RevertData> revert) {
        return revert.flatMap(RevertData::tangleError).map(TangleError::meansAlreadyAnswered).orElse(false);
    }

    private SubmissionResult alreadyDone(int attempt, RevertData reason, String transactionHash) {
        log.info("Service {} call {} needs no result from this operator: the contract reverted with {}, so another operator"
                + " probably submitted first", serviceId, callId, reason.describe());
        String hash = transactionHash != null ? transactionHash : lastTransactionHash;
        return new SubmissionResult(serviceId, callId, SubmissionResult.Status.ALREADY_DONE, hash, attempt, null);
    }

    private SubmissionResult failed(int attempts, String error) {
        return new SubmissionResult(serviceId, callId, SubmissionResult.Status.FAILED, lastTransactionHash, attempts, error);
    }

    private void logSuccess(SubmissionResult result, long startedNanos) {
        if (result.status() == SubmissionResult.Status.SUBMITTED) {
            log.info("Submitted the result of service {} call {} in transaction {} ({} attempts, {} ms)", serviceId, callId,
                    result.transactionHash(), result.attempts(), Duration.ofNanos(System.nanoTime() - startedNanos).toMillis());
        }
    }
}
