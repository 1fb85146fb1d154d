package io.tangle.microvm.chain;

import java.util.Optional;

/**
 * A JSON-RPC request that failed, either because the node could not be reached or its reply could
 * not be read ({@link Kind#TRANSPORT}), or because the node replied with a JSON-RPC error object
 * ({@link Kind#ERROR_RESPONSE}).
 *
 * <p>After a transport failure it is unknown whether the node acted on the request, which matters
 * for {@code eth_sendRawTransaction}.
 */
public final class RpcException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The stage at which the request failed. */
    public enum Kind {
        TRANSPORT,
        ERROR_RESPONSE
    }

    private final String method;
    private final Kind kind;
    private final int code;
    private final String errorMessage;
    private final String errorData;

    private RpcException(String method, Kind kind, int code, String errorMessage, String errorData, Throwable cause) {
        super(describe(method, kind, code, errorMessage), cause);
        this.method = method;
        this.kind = kind;
        this.code = code;
        this.errorMessage = errorMessage;
        this.errorData = errorData;
    }

    static RpcException transport(String method, Throwable cause) {
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new RpcException(method, Kind.TRANSPORT, 0, detail, null, cause);
    }

    static RpcException errorResponse(String method, int code, String message, String data) {
        return new RpcException(method, Kind.ERROR_RESPONSE, code, message, data, null);
    }

    /** Returns the JSON-RPC method, such as {@code eth_getLogs}. */
    public String method() {
        return method;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isTransport() {
        return kind == Kind.TRANSPORT;
    }

    /** Returns the JSON-RPC error code, or 0 for a transport failure. */
    public int code() {
        return code;
    }

    /** Returns the node's error message, or the transport failure's message. */
    public String errorMessage() {
        return errorMessage == null ? "" : errorMessage;
    }

    /** Returns the JSON-RPC error's {@code data} field as text, if any. */
    public Optional<String> errorData() {
        return Optional.ofNullable(errorData);
    }

    /** Returns the revert data carried by an error response, if the node reported a contract revert. */
    public Optional<RevertData> revertData() {
        if (kind != Kind.ERROR_RESPONSE) {
            return Optional.empty();
        }
        return RevertData.fromRpcError(errorData, errorMessage);
    }

    private static String describe(String method, Kind kind, int code, String message) {
        if (kind == Kind.TRANSPORT) {
            return method + " failed: " + message;
        }
        return method + " returned error " + code + ": " + message;
    }
}
