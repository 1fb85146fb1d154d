package io.tangle.microvm.chain;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One job call announced on chain by {@code JobSubmitted} or {@code JobSubmittedFromQuote}.
 *
 * <p>Ids are Solidity {@code uint64} values; the decoder rejects values above {@link Long#MAX_VALUE}.
 *
 * @param jobIndex the job's position in the blueprint definition (0 to 255)
 * @param caller the submitter's address, lowercase {@code 0x} hex
 * @param inputs the raw job arguments as submitted
 * @param blockHash the block's hash, lowercase {@code 0x} hex
 * @param transactionHash the submitting transaction's hash, lowercase {@code 0x} hex
 * @param removed the log's {@code removed} flag: true when the node reports the log as dropped by a reorganisation
 * @param quotedOperators the operators whose quotes the call used, lowercase; empty for {@code JobSubmitted}
 * @param fromQuote whether the log was {@code JobSubmittedFromQuote}
 */
public record JobSubmittedEvent(
        long serviceId,
        long callId,
        int jobIndex,
        String caller,
        byte[] inputs,
        long blockNumber,
        String blockHash,
        long logIndex,
        String transactionHash,
        boolean removed,
        List<String> quotedOperators,
        boolean fromQuote) {

    public JobSubmittedEvent {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(blockHash, "blockHash");
        Objects.requireNonNull(transactionHash, "transactionHash");
        if (jobIndex < 0 || jobIndex > 255) {
            throw new IllegalArgumentException("jobIndex must be between 0 and 255: " + jobIndex);
        }
        inputs = inputs.clone();
        quotedOperators = quotedOperators.stream().map(address -> address.toLowerCase(Locale.ROOT)).toList();
        caller = caller.toLowerCase(Locale.ROOT);
    }

    /** Returns a copy of the raw job arguments. */
    @Override
    public byte[] inputs() {
        return inputs.clone();
    }

    /**
     * Returns whether the given operator may submit a result for this call: always for a plain
     * {@code JobSubmitted}, and only when quoted for {@code JobSubmittedFromQuote}.
     */
    public boolean isAddressedTo(String operator) {
        return !fromQuote || quotedOperators.contains(operator.toLowerCase(Locale.ROOT));
    }

    /** Returns the log's position in the chain, for ordering: block number first, then log index. */
    public PollCursor position() {
        return new PollCursor(blockNumber, logIndex);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof JobSubmittedEvent that
                && serviceId == that.serviceId
                && callId == that.callId
                && jobIndex == that.jobIndex
                && blockNumber == that.blockNumber
                && logIndex == that.logIndex
                && removed == that.removed
                && fromQuote == that.fromQuote
                && caller.equals(that.caller)
                && Arrays.equals(inputs, that.inputs)
                && blockHash.equals(that.blockHash)
                && transactionHash.equals(that.transactionHash)
                && quotedOperators.equals(that.quotedOperators);
    }

    @Override
    public int hashCode() {
        return Objects.hash(serviceId, callId, blockNumber, logIndex, blockHash);
    }

    @Override
    public String toString() {
        return "JobSubmittedEvent[service " + serviceId + ", call " + callId + ", job " + jobIndex
                + ", caller " + caller + ", " + inputs.length + " input bytes, block " + blockNumber
                + " log " + logIndex + ", tx " + transactionHash + (fromQuote ? ", from quote " + quotedOperators : "")
                + (removed ? ", removed" : "") + "]";
    }
}
