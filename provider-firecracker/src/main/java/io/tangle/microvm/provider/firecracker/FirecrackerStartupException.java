package io.tangle.microvm.provider.firecracker;

/**
 * The Firecracker provider cannot start: the state directory is locked by another provider, or
 * a directory cannot be created or fails a check. The message states what to do.
 */
public final class FirecrackerStartupException extends RuntimeException {

    public FirecrackerStartupException(String message, Throwable cause) {
        super(message, cause);
    }

    public FirecrackerStartupException(String message) {
        super(message);
    }
}
