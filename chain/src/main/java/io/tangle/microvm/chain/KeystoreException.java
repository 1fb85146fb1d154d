package io.tangle.microvm.chain;

/** The operator keystore is missing, empty or contains an invalid key. The message names the path. */
public final class KeystoreException extends Exception {

    private static final long serialVersionUID = 1L;

    public KeystoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public KeystoreException(String message) {
        super(message);
    }
}
