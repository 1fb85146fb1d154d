package io.tangle.microvm.chain;

/**
 * The node did not accept a transaction, for a reason other than a contract revert, so nothing
 * was sent. The message names the sender, the node's error and what to do.
 */
public final class TransactionRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TransactionRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
