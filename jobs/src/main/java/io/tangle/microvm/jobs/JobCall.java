package io.tangle.microvm.jobs;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One job call as the chain announced it.
 *
 * <p>{@code serviceId}, {@code callId} and {@code blockNumber} are {@code uint64} on chain and are
 * held as unsigned values in a {@code long}: use {@link Long#toUnsignedString(long)} to print them.
 *
 * @param jobIndex the {@code uint8} job index, 0 to 255
 * @param caller the address that submitted the call, {@code 0x} and 40 lowercase hex digits
 * @param inputs the raw argument bytes of the event, of which the record keeps its own copy
 * @param logIndex the position of the event's log in its block
 * @param blockHash the hash of the event's block, {@code 0x} and 64 lowercase hex digits, or
 *     {@code null} when the source does not know it
 */
public record JobCall(long serviceId, long callId, int jobIndex, String caller, byte[] inputs, long blockNumber,
        long logIndex, String blockHash) {

    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-f]{40}");
    private static final Pattern HASH = Pattern.compile("0x[0-9a-f]{64}");

    /** Creates a call whose block hash is unknown. */
    public JobCall(long serviceId, long callId, int jobIndex, String caller, byte[] inputs, long blockNumber,
            long logIndex) {
        this(serviceId, callId, jobIndex, caller, inputs, blockNumber, logIndex, null);
    }

    public JobCall {
        JobIndex.requireInRange(jobIndex);
        Objects.requireNonNull(caller, "caller");
        if (!ADDRESS.matcher(caller).matches()) {
            throw new IllegalArgumentException("caller '" + caller + "' of job call " + Long.toUnsignedString(callId)
                    + " is invalid: expected 0x followed by 40 lowercase hex digits");
        }
        if (logIndex < 0) {
            throw new IllegalArgumentException("logIndex of job call " + Long.toUnsignedString(callId)
                    + " is negative: " + logIndex);
        }
        if (blockHash != null && !HASH.matcher(blockHash).matches()) {
            throw new IllegalArgumentException("blockHash '" + blockHash + "' of job call "
                    + Long.toUnsignedString(callId) + " is invalid: expected 0x followed by 64 lowercase hex digits");
        }
        inputs = Objects.requireNonNull(inputs, "inputs").clone();
    }

    /** Returns a copy of the raw argument bytes. */
    @Override
    public byte[] inputs() {
        return inputs.clone();
    }

    /** Returns the job name of the index, such as {@code create_vm}, or {@code unknown}. */
    public String jobName() {
        return JobIndex.name(jobIndex);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof JobCall that
                && serviceId == that.serviceId
                && callId == that.callId
                && jobIndex == that.jobIndex
                && caller.equals(that.caller)
                && Arrays.equals(inputs, that.inputs)
                && blockNumber == that.blockNumber
                && logIndex == that.logIndex
                && Objects.equals(blockHash, that.blockHash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(serviceId, callId, jobIndex, caller, Arrays.hashCode(inputs), blockNumber, logIndex,
                blockHash);
    }

    @Override
    public String toString() {
        // Inputs are capped at 64 bytes here so that a large call cannot flood a log line.
        int shown = Math.min(inputs.length, 64);
        String hex = HexFormat.of().formatHex(inputs, 0, shown) + (shown < inputs.length ? "..." : "");
        return "JobCall[serviceId=" + Long.toUnsignedString(serviceId)
                + ", callId=" + Long.toUnsignedString(callId)
                + ", jobIndex=" + jobIndex
                + ", caller=" + caller
                + ", inputs=0x" + hex + " (" + inputs.length + " bytes)"
                + ", blockNumber=" + Long.toUnsignedString(blockNumber)
                + ", logIndex=" + logIndex
                + ", blockHash=" + blockHash + "]";
    }
}
