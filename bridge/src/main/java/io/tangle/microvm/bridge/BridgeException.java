package io.tangle.microvm.bridge;

/** A request to the blueprint manager's bridge failed; the message names the socket and the cause. */
public final class BridgeException extends Exception {

    private static final long serialVersionUID = 1L;

    public BridgeException(String message, Throwable cause) {
        super(message, cause);
    }
}
