package io.tangle.microvm.chain;

import java.util.Optional;
import java.util.Set;

/**
 * The end of the attempts to land one operator transaction.
 *
 * <p>Every variant carries the hash of the last transaction sent (null when none was sent) and the
 * number of attempts made, counting the last one.
 */
sealed interface TransactionOutcome {

    String transactionHash();

    int attempts();

    /** The transaction was mined and succeeded. */
    record Mined(String transactionHash, int attempts) implements TransactionOutcome {
    }

    /**
     * The contract rejected the call, in the gas estimate, at the send or in a mined transaction.
     * Which rejections end the attempts here depends on the {@link TransactionAttempts.RevertPolicy}.
     *
     * @param reason the revert data, absent when the node gave none
     * @param message what the node reported, for logs and errors
     */
    record Rejected(Optional<RevertData> reason, String message, String transactionHash, int attempts)
            implements TransactionOutcome {
    }

    /**
     * The blocks of some calls the transaction was for left the chain, so nothing was sent for
     * them in this attempt: their ids may belong to other calls now.
     *
     * @param callIds the calls whose blocks are gone
     */
    record Orphaned(Set<Long> callIds, String message, String transactionHash, int attempts) implements TransactionOutcome {
    }

    /** Every attempt failed, or the attempts were interrupted; {@code error} gives the reason. */
    record Failed(String error, String transactionHash, int attempts) implements TransactionOutcome {
    }
}
