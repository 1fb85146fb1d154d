package io.tangle.microvm.query;

/**
 * Thrown by a source behind the query API when its data is not available yet, such as while the
 * operator starts. The route responds with 503 and the message, which should name what to wait for.
 */
public final class QueryUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public QueryUnavailableException(String message) {
        super(message);
    }
}
