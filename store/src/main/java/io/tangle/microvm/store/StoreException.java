package io.tangle.microvm.store;

import java.nio.file.Path;

/**
 * A failure of the durable store. The message names the operation, the database file and the
 * cause.
 */
public final class StoreException extends RuntimeException {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Returns an exception for an operation that failed on the given database file. */
    static StoreException failed(String operation, Path database, Throwable cause) {
        return new StoreException(operation + " failed on database " + database + ": " + cause.getMessage(), cause);
    }
}
