package io.tangle.microvm.chain;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Decodes {@code JobSubmitted} and {@code JobSubmittedFromQuote} logs.
 *
 * <p>Three forms are accepted:
 * <ul>
 *   <li>{@code JobSubmitted} with 3 topics (topic0, serviceId, callId) and data
 *       {@code (uint8 jobIndex, address caller, bytes inputs)}: what tnt-core v0.10.4 emits;</li>
 *   <li>{@code JobSubmitted} with 4 topics, jobIndex in topic 3, and data {@code (address caller, bytes inputs)}:
 *       what its interface declares, accepted in case a deployment emits that;</li>
 *   <li>{@code JobSubmittedFromQuote} with 3 topics and data
 *       {@code (uint8 jobIndex, address caller, address[] quotedOperators, uint256 totalPrice, bytes inputs)}.</li>
 * </ul>
 */
public final class JobSubmittedDecoder {

    private JobSubmittedDecoder() {
    }

    /** Returns whether the log's topic0 is one of the two job submission events. */
    public static boolean isJobSubmission(Log log) {
        List<String> topics = log.getTopics();
        if (topics == null || topics.isEmpty() || topics.get(0) == null) {
            return false;
        }
        String topic0 = topics.get(0).toLowerCase(Locale.ROOT);
        return topic0.equals(TangleSignatures.JOB_SUBMITTED_TOPIC) || topic0.equals(TangleSignatures.JOB_SUBMITTED_FROM_QUOTE_TOPIC);
    }

    /**
     * Decodes a job submission log.
     *
     * @throws MalformedLogException if the log is not a job submission, lacks its block position
     *         (a pending log), or its topics or data do not have the expected layout; the message
     *         names the field that is wrong
     */
    public static JobSubmittedEvent decode(Log log) throws MalformedLogException {
        List<String> topics = log.getTopics();
        if (!isJobSubmission(log)) {
            throw new MalformedLogException("not a JobSubmitted or JobSubmittedFromQuote log: topics " + topics);
        }
        boolean fromQuote = topics.get(0).equalsIgnoreCase(TangleSignatures.JOB_SUBMITTED_FROM_QUOTE_TOPIC);
        long serviceId = topicUint64(topics, 1, "serviceId");
        long callId = topicUint64(topics, 2, "callId");
        AbiWords data = AbiWords.ofHex(log.getData());

        int jobIndex;
        String caller;
        byte[] inputs;
        List<String> quotedOperators = List.of();
        if (fromQuote) {
            requireTopicCount(topics, 3, "JobSubmittedFromQuote");
            jobIndex = data.uint(0, 8, "jobIndex").intValueExact();
            caller = data.address(1, "caller");
            quotedOperators = data.addressArray(2, "quotedOperators");
            data.uint(3, 256, "totalPrice");
            inputs = data.dynamicBytes(4, "inputs");
        } else if (topics.size() == 3) {
            jobIndex = data.uint(0, 8, "jobIndex").intValueExact();
            caller = data.address(1, "caller");
            inputs = data.dynamicBytes(2, "inputs");
        } else {
            requireTopicCount(topics, 4, "JobSubmitted");
            jobIndex = topicUint(topics, 3, 8, "jobIndex").intValueExact();
            caller = data.address(0, "caller");
            inputs = data.dynamicBytes(1, "inputs");
        }

        return new JobSubmittedEvent(serviceId, callId, jobIndex, caller, inputs,
                required(log.getBlockNumberRaw(), "blockNumber"), requiredHash(log.getBlockHash(), "blockHash"),
                required(log.getLogIndexRaw(), "logIndex"), requiredHash(log.getTransactionHash(), "transactionHash"),
                log.isRemoved(), quotedOperators, fromQuote);
    }

    /** Decodes an indexed {@code uint64} topic, rejecting values above {@link Long#MAX_VALUE}. */
    static long topicUint64(List<String> topics, int index, String name) throws MalformedLogException {
        BigInteger value = topicUint(topics, index, 64, name);
        if (value.bitLength() > 63) {
            throw new MalformedLogException(name + " " + value + " is above " + Long.MAX_VALUE + ", which this operator does not support");
        }
        return value.longValueExact();
    }

    private static BigInteger topicUint(List<String> topics, int index, int bits, String name) throws MalformedLogException {
        if (index >= topics.size() || topics.get(index) == null) {
            throw new MalformedLogException(name + " topic " + index + " is missing: topics " + topics);
        }
        AbiWords word = AbiWords.ofHex(topics.get(index));
        if (word.length() != AbiWords.WORD) {
            throw new MalformedLogException(name + " topic " + index + " is " + word.length() + " bytes instead of 32");
        }
        return word.uint(0, bits, name);
    }

    private static void requireTopicCount(List<String> topics, int expected, String event) throws MalformedLogException {
        if (topics.size() != expected) {
            throw new MalformedLogException(event + " log has " + topics.size() + " topics instead of " + expected);
        }
    }

    private static long required(String quantityHex, String name) throws MalformedLogException {
        if (quantityHex == null) {
            throw new MalformedLogException(name + " is missing; pending logs are not supported");
        }
        try {
            String digits = quantityHex.startsWith("0x") ? quantityHex.substring(2) : quantityHex;
            return Long.parseLong(digits, 16);
        } catch (NumberFormatException e) {
            throw new MalformedLogException(name + " is not a hex quantity: " + quantityHex, e);
        }
    }

    private static String requiredHash(String hash, String name) throws MalformedLogException {
        if (hash == null) {
            throw new MalformedLogException(name + " is missing; pending logs are not supported");
        }
        return hash.toLowerCase(Locale.ROOT);
    }
}
