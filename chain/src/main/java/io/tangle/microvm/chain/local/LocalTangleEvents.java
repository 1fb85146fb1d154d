package io.tangle.microvm.chain.local;

import io.tangle.microvm.chain.MalformedLogException;
import java.math.BigInteger;
import java.util.List;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/** Events and topic helpers of the local Tangle contract's own functions. */
final class LocalTangleEvents {

    /** topic0 of {@code BlueprintCreated(uint64,address,uint8)}, an event only the local contract has. */
    static final String BLUEPRINT_CREATED_TOPIC = Hash.sha3String("BlueprintCreated(uint64,address,uint8)");

    private LocalTangleEvents() {
    }

    /** Reads an indexed uint64 from topic {@code index}. */
    static long topicUint64(Log log, int index, String event) throws MalformedLogException {
        List<String> topics = log.getTopics();
        if (topics.size() <= index) {
            throw new MalformedLogException(event + " log has no topic " + index);
        }
        BigInteger value = Numeric.toBigInt(topics.get(index));
        if (value.bitLength() > 63) {
            throw new MalformedLogException(event + " topic " + index + " is not a uint64 this code supports: " + value);
        }
        return value.longValueExact();
    }
}
