package io.tangle.microvm.chain;

import java.io.IOException;
import java.io.InterruptedIOException;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;

/** Sends one web3j request and turns every failure into an {@link RpcException}. */
public final class Rpc {

    private Rpc() {
    }

    /**
     * Sends {@code request} and returns its response, which has no error.
     *
     * @throws RpcException if the transport failed or the node returned a JSON-RPC error
     * @throws InterruptedException if the calling thread was interrupted while waiting for the node
     */
    public static <R extends Response<?>> R send(Request<?, R> request) throws RpcException, InterruptedException {
        String method = request.getMethod();
        R response;
        try {
            response = request.send();
        } catch (InterruptedIOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw interrupted(method, e);
            }
            throw RpcException.transport(method, e);
        } catch (IOException | RuntimeException e) {
            // web3j's HttpService throws ClientConnectionException (unchecked) for non-2xx statuses
            // and Jackson exceptions for unreadable replies. Both mean no usable response arrived.
            if (Thread.currentThread().isInterrupted()) {
                throw interrupted(method, e);
            }
            throw RpcException.transport(method, e);
        }

        if (response == null) {
            throw RpcException.transport(method, new IOException("empty reply"));
        }
        if (response.hasError()) {
            Response.Error error = response.getError();
            throw RpcException.errorResponse(method, error.getCode(), error.getMessage(), error.getData());
        }
        return response;
    }

    private static InterruptedException interrupted(String method, Exception cause) {
        InterruptedException interrupted = new InterruptedException(method + " interrupted");
        interrupted.initCause(cause);
        return interrupted;
    }
}
