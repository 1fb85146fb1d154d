package io.tangle.microvm.chain;

/** A log that claims to be a Tangle event but cannot be decoded as one. */
public final class MalformedLogException extends Exception {

    private static final long serialVersionUID = 1L;

    public MalformedLogException(String message) {
        super(message);
    }

    public MalformedLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
