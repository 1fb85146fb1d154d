package io.tangle.microvm.chain;

import java.math.BigInteger;
import java.util.Objects;

/**
 * The on-chain record of one job call, as {@code getJobCall} returns it.
 *
 * @param createdAt the block timestamp of the submission, in seconds since the epoch
 * @param resultCount how many operators submitted a result
 * @param payment the value paid with the call, in wei
 * @param completed whether enough results were submitted to complete the call
 * @param rfq whether the call came from operator quotes ({@code JobSubmittedFromQuote})
 */
public record JobCallInfo(int jobIndex, String caller, long createdAt, long resultCount, BigInteger payment,
        boolean completed, boolean rfq) {

    public JobCallInfo {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(payment, "payment");
    }
}
