package io.tangle.microvm.chain;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.web3j.protocol.core.methods.response.Log;

/**
 * One {@code JobResultSubmitted(uint64 indexed serviceId, uint64 indexed callId, address indexed operator, bytes result)} log.
 *
 * @param operator the operator that submitted the result, lowercase {@code 0x} hex
 */
public record JobResultEvent(long serviceId, long callId, String operator, byte[] result, long blockNumber, String transactionHash) {

    public JobResultEvent {
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(result, "result");
        operator = operator.toLowerCase(Locale.ROOT);
        result = result.clone();
    }

    @Override
    public byte[] result() {
        return result.clone();
    }

    /**
     * Decodes a {@code JobResultSubmitted} log.
     *
     * @throws MalformedLogException if the log is another event or its topics or data are malformed
     */
    public static JobResultEvent decode(Log log) throws MalformedLogException {
        List<String> topics = log.getTopics();
        if (topics == null || topics.size() != 4 || !TangleSignatures.JOB_RESULT_SUBMITTED_TOPIC.equalsIgnoreCase(topics.get(0))) {
            throw new MalformedLogException("not a JobResultSubmitted log with 4 topics: topics " + topics);
        }
        long serviceId = JobSubmittedDecoder.topicUint64(topics, 1, "serviceId");
        long callId = JobSubmittedDecoder.topicUint64(topics, 2, "callId");
        String operator = AbiWords.ofHex(topics.get(3)).address(0, "operator");
        byte[] result = AbiWords.ofHex(log.getData()).dynamicBytes(0, "result");
        long block = log.getBlockNumberRaw() == null ? -1 : log.getBlockNumber().longValueExact();
        return new JobResultEvent(serviceId, callId, operator, result, block, String.valueOf(log.getTransactionHash()));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof JobResultEvent that
                && serviceId == that.serviceId
                && callId == that.callId
                && blockNumber == that.blockNumber
                && operator.equals(that.operator)
                && Arrays.equals(result, that.result)
                && transactionHash.equals(that.transactionHash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(serviceId, callId, operator, blockNumber, transactionHash);
    }

    @Override
    public String toString() {
        return "JobResultEvent[service " + serviceId + ", call " + callId + ", operator " + operator + ", "
                + result.length + " result bytes, block " + blockNumber + ", tx " + transactionHash + "]";
    }
}
