package io.tangle.microvm.chain;

import java.math.BigInteger;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The attempts to land one operator transaction to the Tangle contract, such as
 * {@code submitResult} or {@code submitResults}; used once, on one thread.
 *
 * <p>An attempt estimates gas (which also reveals a revert before anything is sent), signs with a
 * fresh nonce, sends, and waits for the receipt. Once a signed transaction may have reached the
 * node, it is never replaced by one with another nonce while it can still be mined: later attempts
 * send the same signed bytes again and keep waiting. A transaction is replaced only when the node
 * shows that its nonce went to a different transaction.
 */
final class TransactionAttempts {

    /** The contract rejections that end the attempts with {@link TransactionOutcome.Rejected}. */
    enum RevertPolicy {
        /**
         * Only {@code JobAlreadyCompleted} and {@code ResultAlreadySubmitted} end the attempts,
         * because nothing is left to send. Any other revert counts as a failed attempt and is
         * tried again, and a missing gas estimate falls back to the configured gas limit.
         */
        RETRY_UNLESS_ANSWERED,
        /**
         * Every revert, rejection by the node or missing gas estimate ends the attempts at once,
         * so that the caller can split a batch and find the call that the contract rejects.
         */
        REJECT_AT_ONCE
    }

    private static final Logger log = LoggerFactory.getLogger(ResultSubmitter.class);

    /** An attempt that failed in a way worth retrying. The message gives the reason. */
    private static final class AttemptFailed extends Exception {
        private static final long serialVersionUID = 1L;

        AttemptFailed(String message) {
            super(message);
        }
    }

    /** A rejection that ends the attempts, carried out of an attempt. */
    private static final class RejectedNow extends Exception {
        private static final long serialVersionUID = 1L;

        private final transient Optional<RevertData> reason;
        private final String transactionHash;

        RejectedNow(Optional<RevertData> reason, String message, String transactionHash) {
            super(message);
            this.reason = reason;
            this.transactionHash = transactionHash;
        }
    }

    /** Calls whose blocks left the chain, found before a new transaction was signed. */
    private static final class OrphanedNow extends Exception {
        private static final long serialVersionUID = 1L;

        private final transient Set<Long> callIds;

        OrphanedNow(Set<Long> callIds, String message) {
            super(message);
            this.callIds = callIds;
        }
    }

    /** Gas of a plain transfer without data. */
    private static final BigInteger TRANSFER_GAS = BigInteger.valueOf(21_000);

    private final ResultSubmitter.Context context;
    private final String subject;
    private final String calldata;
    private final RevertPolicy policy;
    private final Map<Long, CallBlock> callBlocks;

    private TransactionSupport.SignedTransaction pending;
    private String lastTransactionHash;

    /**
     * @param subject what the transaction is for, in log lines and errors, such as "service 0 call 5"
     * @param calldata the ABI-encoded call as {@code 0x} hex
     * @param callBlocks the blocks that announced the calls whose results the transaction carries, by call id;
     *     before each new transaction is signed, calls whose block left the chain end the attempts
     *     with {@link TransactionOutcome.Orphaned}. Calls without a known block are not checked.
     */
    TransactionAttempts(ResultSubmitter.Context context, String subject, String calldata, RevertPolicy policy,
            Map<Long, CallBlock> callBlocks) {
        this.context = context;
        this.subject = subject;
        this.calldata = calldata;
        this.policy = policy;
        this.callBlocks = Map.copyOf(callBlocks);
    }

    TransactionOutcome run() {
        long startedNanos = System.nanoTime();
        int maxAttempts = context.config().maxAttempts();
        String lastError = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            try {
                String hash = attempt(attempt);
                log.info("Landed the transaction {} for {} (attempts: {}, {} ms)", hash, subject, attempt,
                        Duration.ofNanos(System.nanoTime() - startedNanos).toMillis());
                return new TransactionOutcome.Mined(hash, attempt);
            } catch (RejectedNow e) {
                String hash = e.transactionHash != null ? e.transactionHash : lastTransactionHash;
                return new TransactionOutcome.Rejected(e.reason, e.getMessage(), hash, attempt);
            } catch (OrphanedNow e) {
                log.warn("Stopped sending {}: {}", subject, e.getMessage());
                return new TransactionOutcome.Orphaned(e.callIds, e.getMessage(), lastTransactionHash, attempt);
            } catch (AttemptFailed | RpcException e) {
                lastError = e.getMessage();
            } catch (RuntimeException e) {
                // An unexpected reply or a bug: count it as a failed attempt, because a submission
                // must end in a result and never take its caller down.
                log.error("Unexpected error sending the transaction for {} (attempt {})", subject, attempt, e);
                lastError = "unexpected error: " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return failed(attempt, "interrupted while submitting; the last transaction may still be mined");
            }

            if (attempt < maxAttempts) {
                Duration delay = context.config().backoffAfter(attempt);
                log.warn("Sending the transaction for {} failed (attempt {}/{}), retrying in {} ms: {}",
                        subject, attempt, maxAttempts, delay.toMillis(), lastError);
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
        log.error("Giving up on {} after {} attempts: {}", subject, maxAttempts, error);
        return failed(maxAttempts, error);
    }

    /** Runs one attempt and returns the hash of the mined transaction. */
    private String attempt(int attempt) throws AttemptFailed, RejectedNow, OrphanedNow, RpcException, InterruptedException {
        if (pending == null) {
            signAndSend();
        } else {
            log.info("Sending transaction {} for {} again and waiting for its receipt (attempt {})",
                    pending.hash(), subject, attempt);
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
            return receipt.getTransactionHash();
        }
        Optional<RevertData> reason = context.support().revertReason(context.from(), context.contractAddress(), calldata, BigInteger.ZERO);
        String message = "transaction " + receipt.getTransactionHash() + " reverted in block " + receipt.getBlockNumber()
                + (reason.isPresent() ? " with " + reason.get().describe() : "; calling it again does not revert, so it may have run out of gas");
        if (endsAttempts(reason)) {
            throw new RejectedNow(reason, message, receipt.getTransactionHash());
        }
        throw new AttemptFailed(message);
    }

    /** Estimates gas, signs with a new nonce and sends; afterwards {@code pending} contains the transaction to wait for. */
    private void signAndSend() throws AttemptFailed, RejectedNow, OrphanedNow, RpcException, InterruptedException {
        TransactionSupport support = context.support();
        requireCallBlocksOnChain();

        BigInteger gasLimit;
        switch (support.estimateGas(context.from(), context.contractAddress(), calldata, BigInteger.ZERO)) {
            case TransactionSupport.Estimated estimated ->
                    gasLimit = estimated.gas().multiply(BigInteger.valueOf(context.config().gasLimitPercent())).divide(BigInteger.valueOf(100));
            case TransactionSupport.WouldRevert revert -> {
                String message = "the transaction for " + subject + " would revert: "
                        + revert.revertData().map(RevertData::describe).orElse(revert.message());
                if (endsAttempts(revert.revertData())) {
                    throw new RejectedNow(revert.revertData(), message, null);
                }
                throw new AttemptFailed(message);
            }
            case TransactionSupport.NoEstimate none -> {
                if (policy == RevertPolicy.REJECT_AT_ONCE) {
                    // The fallback limit is sized for one result, so it may be too small for a batch.
                    throw new RejectedNow(Optional.empty(), "no gas estimate for " + subject + ": " + none.message(), null);
                }
                log.warn("No gas estimate for {} ({}); using the fallback gas limit {}",
                        subject, none.message(), context.config().fallbackGasLimit());
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
            log.warn("Sending transaction {} (nonce {}) for {} failed in transport; waiting for it in case"
                    + " the node received it: {}", transaction.hash(), nonce, subject,
                    sending.transportFailure().getMessage());
            return;
        }
        TransactionSupport.SendResult sent = sending.result();

        switch (sent.outcome()) {
            case ACCEPTED -> {
                track(transaction);
                log.debug("Sent transaction {} (nonce {}, gas limit {}) for {}", transaction.hash(), nonce, gasLimit, subject);
                return;
            }
            case NONCE_USED -> {
                context.nonces().resync();
                throw new AttemptFailed("nonce " + nonce + " was already used by another transaction of " + context.from()
                        + " (" + sent.error().errorMessage() + "); nonces were read again from the node");
            }
            case REJECTED -> {
                context.nonces().release(nonce);
                Optional<RevertData> revert = sent.error().revertData();
                String message = "the node rejected the transaction for " + subject + ": " + sent.error().getMessage();
                if (policy == RevertPolicy.REJECT_AT_ONCE || endsAttempts(revert)) {
                    throw new RejectedNow(revert, message, null);
                }
                throw new AttemptFailed(message);
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
                fillNonceGap();
                nextRebroadcast = now + config.rebroadcastInterval().toNanos();
            }
            Thread.sleep(Duration.ofNanos(Math.min(config.receiptPollInterval().toNanos(), deadline - now)));
        }
    }

    /**
     * Sends empty transfers to the account itself for nonces below the pending transaction's that
     * the node has no transaction for, because the pending one cannot be mined before them.
     */
    private void fillNonceGap() throws InterruptedException {
        TransactionSupport.SignedTransaction waiting = pending;
        if (waiting == null) {
            return;
        }
        try {
            // The filler reads the chain id and gas price itself, because it runs only when there is a gap.
            List<BigInteger> filled = context.nonces().fillGapBelow(waiting.nonce(), nonce -> {
                TransactionSupport.SignedTransaction filler = TransactionSupport.sign(context.credentials(),
                        context.chainId(), nonce, context.support().gasPrice(), TRANSFER_GAS, context.from(),
                        BigInteger.ZERO, "0x");
                return context.support().send(filler);
            });
            if (!filled.isEmpty()) {
                log.warn("Nonces {} of {} had no transaction on the node, so transaction {} (nonce {}) for {} could not be"
                        + " mined; sent an empty transfer to the account itself for each", filled, context.from(),
                        waiting.hash(), waiting.nonce(), subject);
            }
        } catch (RpcException e) {
            log.debug("Checking for a nonce gap below transaction {} failed: {}", waiting.hash(), e.getMessage());
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
                log.warn("The node rejected transaction {} for {} when it was sent again: {}",
                        transaction.hash(), subject, sent.error().getMessage());
            }
        } catch (RpcException e) {
            log.debug("Sending transaction {} again failed: {}", transaction.hash(), e.getMessage());
        }
    }

    private void track(TransactionSupport.SignedTransaction transaction) {
        pending = transaction;
        lastTransactionHash = transaction.hash();
    }

    /**
     * Checks that the block of every call with a known block is still on the chain, reading each
     * distinct block once.
     *
     * <p>NOTE: a transaction signed before a reorganisation is still sent again unchanged while it
     * waits for its receipt, and a node may mine it for the call that took the id.
     */
    private void requireCallBlocksOnChain() throws OrphanedNow, RpcException, InterruptedException {
        Map<Long, Optional<String>> hashes = new HashMap<>();
        Set<Long> orphaned = new TreeSet<>();
        for (Map.Entry<Long, CallBlock> entry : callBlocks.entrySet()) {
            CallBlock block = entry.getValue();
            Optional<String> onChain = hashes.get(block.blockNumber());
            if (onChain == null) {
                onChain = context.support().blockHash(block.blockNumber());
                hashes.put(block.blockNumber(), onChain);
            }
            if (!onChain.equals(Optional.of(block.blockHash()))) {
                orphaned.add(entry.getKey());
            }
        }

        if (!orphaned.isEmpty()) {
            throw new OrphanedNow(Set.copyOf(orphaned), "the blocks that announced job calls " + orphaned
                    + " are no longer on the chain after a reorganisation, so those call ids may belong to other calls now");
        }
    }

    /** Returns whether a contract rejection with this revert data ends the attempts under the policy. */
    private boolean endsAttempts(Optional<RevertData> revert) {
        return policy == RevertPolicy.REJECT_AT_ONCE || isAlreadyAnswered(revert);
    }

    static boolean isAlreadyAnswered(Optional<RevertData> revert) {
        return revert.flatMap(RevertData::tangleError).map(TangleError::meansAlreadyAnswered).orElse(false);
    }

    private TransactionOutcome failed(int attempts, String error) {
        return new TransactionOutcome.Failed(error, lastTransactionHash, attempts);
    }
}
