package io.tangle.microvm.app.operator;

import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.TangleQueries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the contract with {@code getJobCall} whether a call is already completed, so that a result
 * is not sent for a call that another operator of the service completed, such as history replayed
 * after a long downtime.
 *
 * <p>The call itself is still applied: every operator of a service runs its own copy of the
 * service's VMs, and a copy that skipped a call would diverge from the chain's history. When the
 * check fails, it returns "not completed", because the contract rejects a late result anyway.
 */
final class CompletionCheck {

    private static final Logger log = LoggerFactory.getLogger(CompletionCheck.class);

    private final TangleQueries queries;

    CompletionCheck(TangleQueries queries) {
        this.queries = queries;
    }

    boolean isCompleted(long serviceId, long callId) {
        try {
            return queries.getJobCall(serviceId, callId).completed();
        } catch (RpcException e) {
            log.warn("could not read job call {} from the contract; sending its result: {}",
                    Long.toUnsignedString(callId), e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
