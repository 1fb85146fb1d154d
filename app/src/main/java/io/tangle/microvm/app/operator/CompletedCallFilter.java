package io.tangle.microvm.app.operator;

import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.TangleQueries;
import io.tangle.microvm.jobs.CallFilter;
import io.tangle.microvm.jobs.JobCall;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skips calls that the contract already reports completed, such as calls that another operator of
 * the service completed while this one was down. When the check itself fails the call is applied, since
 * a lost job is worse than a duplicate answer, which the contract rejects.
 */
final class CompletedCallFilter implements CallFilter {

    private static final Logger log = LoggerFactory.getLogger(CompletedCallFilter.class);

    private final TangleQueries queries;

    CompletedCallFilter(TangleQueries queries) {
        this.queries = queries;
    }

    @Override
    public Optional<String> skipReason(JobCall call) {
        try {
            if (queries.getJobCall(call.serviceId(), call.callId()).completed()) {
                return Optional.of("the contract reports it completed, by this or another operator");
            }
            return Optional.empty();
        } catch (RpcException e) {
            log.warn("could not read job call {} from the contract; applying it: {}",
                    Long.toUnsignedString(call.callId()), e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
