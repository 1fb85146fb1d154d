package io.tangle.microvm.chain;

/** No receipt arrived for a sent transaction in time; the transaction may still be mined later. */
public final class TransactionTimeoutException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String transactionHash;

    public TransactionTimeoutException(String transactionHash, String message) {
        super(message);
        this.transactionHash = transactionHash;
    }

    public String transactionHash() {
        return transactionHash;
    }
}
