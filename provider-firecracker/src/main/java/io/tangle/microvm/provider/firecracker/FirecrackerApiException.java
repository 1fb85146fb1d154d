package io.tangle.microvm.provider.firecracker;

/**
 * A Firecracker API call that failed. The message names the method, path, socket and cause, and
 * for an error reply the status and Firecracker's {@code fault_message}.
 */
public final class FirecrackerApiException extends Exception {

    /** The kind of failure. */
    public enum Kind {
        /** No process accepted the connection: the socket file is missing, or no process listens on it. */
        CONNECT,
        /** The call did not finish within its timeout. */
        TIMEOUT,
        /** Sending or receiving failed, or the connection closed before the reply was complete. */
        IO,
        /** The reply is not valid HTTP/1.1 as this client reads it. */
        PROTOCOL,
        /** Firecracker replied with a status outside 200 to 299. */
        ERROR_REPLY
    }

    private final Kind kind;
    private final ApiCall call;
    private final int status;
    private final String faultMessage;

    FirecrackerApiException(Kind kind, ApiCall call, int status, String faultMessage, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.call = call;
        this.status = status;
        this.faultMessage = faultMessage;
    }

    public Kind kind() {
        return kind;
    }

    public ApiCall call() {
        return call;
    }

    /** Returns the HTTP status of an error reply, or 0 when no reply arrived. */
    public int status() {
        return status;
    }

    /**
     * Returns Firecracker's {@code fault_message}, or the raw body when the reply had none. Returns
     * {@code null} when no reply arrived.
     */
    public String faultMessage() {
        return faultMessage;
    }
}
