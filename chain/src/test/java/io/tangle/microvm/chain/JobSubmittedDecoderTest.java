package io.tangle.microvm.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.methods.response.Log;

class JobSubmittedDecoderTest {

    private static final String CONTRACT = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    private static final String CALLER = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    private static final String OPERATOR_1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    private static final String OPERATOR_2 = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
    private static final String BLOCK_HASH = "0x" + "ab".repeat(32);
    private static final String TX_HASH = "0x" + "cd".repeat(32);

    /** Flat abi.encode("vm-1"): offset, length, padded bytes (96 bytes). */
    private static final String VM_1_INPUTS = word(0x20) + word(4) + "766d2d31" + "00".repeat(28);

    @Test
    void threeTopicFormDecodesEveryField() throws Exception {
        String data = word(3) + address(CALLER) + word(0x60) + word(96) + VM_1_INPUTS;
        Log log = log(List.of(TangleSignatures.JOB_SUBMITTED_TOPIC, word64(7), word64(42)), data);

        JobSubmittedEvent event = JobSubmittedDecoder.decode(log);

        assertThat(event.serviceId()).isEqualTo(7);
        assertThat(event.callId()).isEqualTo(42);
        assertThat(event.jobIndex()).isEqualTo(3);
        assertThat(event.caller()).isEqualTo(CALLER);
        assertThat(event.inputs()).isEqualTo(hex(VM_1_INPUTS));
        assertThat(event.blockNumber()).isEqualTo(0x1234);
        assertThat(event.blockHash()).isEqualTo(BLOCK_HASH);
        assertThat(event.logIndex()).isEqualTo(2);
        assertThat(event.transactionHash()).isEqualTo(TX_HASH);
        assertThat(event.removed()).isFalse();
        assertThat(event.fromQuote()).isFalse();
        assertThat(event.quotedOperators()).isEmpty();
    }

    @Test
    void threeTopicDataLayout() throws Exception {
        // jobIndex 0, caller, inputs = 96-byte flat abi.encode("vm-1"): 224 data bytes in all.
        String data = word(0) + address(CALLER) + word(0x60) + word(96) + VM_1_INPUTS;
        assertThat(hex(data)).hasSize(224);

        JobSubmittedEvent event = JobSubmittedDecoder.decode(log(List.of(TangleSignatures.JOB_SUBMITTED_TOPIC, word64(0), word64(0)), data));

        assertThat(event.jobIndex()).isZero();
        assertThat(event.inputs()).hasSize(96);
    }

    @Test
    void fourTopicFormReadsJobIndexTopic() throws Exception {
        String data = address(CALLER) + word(0x40) + word(96) + VM_1_INPUTS;
        Log log = log(List.of(TangleSignatures.JOB_SUBMITTED_TOPIC, word64(1), word64(9), word64(4)), data);

        JobSubmittedEvent event = JobSubmittedDecoder.decode(log);

        assertThat(event.jobIndex()).isEqualTo(4);
        assertThat(event.callId()).isEqualTo(9);
        assertThat(event.caller()).isEqualTo(CALLER);
        assertThat(event.inputs()).isEqualTo(hex(VM_1_INPUTS));
    }

    @Test
    void fromQuoteFormDecodesQuotedOperators() throws Exception {
        String data = word(0) + address(CALLER) + word(0xa0) + word(1000) + word(0x100)
                + word(2) + address(OPERATOR_1) + address(OPERATOR_2)
                + word(96) + VM_1_INPUTS;
        Log log = log(List.of(TangleSignatures.JOB_SUBMITTED_FROM_QUOTE_TOPIC, word64(0), word64(5)), data);

        JobSubmittedEvent event = JobSubmittedDecoder.decode(log);

        assertThat(event.fromQuote()).isTrue();
        assertThat(event.quotedOperators()).containsExactly(OPERATOR_1, OPERATOR_2);
        assertThat(event.inputs()).isEqualTo(hex(VM_1_INPUTS));
        assertThat(event.isAddressedTo(OPERATOR_2.toUpperCase().replace("0X", "0x"))).isTrue();
    }

    @Test
    void unquotedOperatorIsNotAddressed() throws Exception {
        String data = word(0) + address(CALLER) + word(0xa0) + word(0) + word(0xe0)
                + word(1) + address(OPERATOR_2)
                + word(0);
        JobSubmittedEvent event = JobSubmittedDecoder.decode(log(List.of(TangleSignatures.JOB_SUBMITTED_FROM_QUOTE_TOPIC, word64(0), word64(5)), data));

        assertThat(event.isAddressedTo(OPERATOR_1)).isFalse();
        assertThat(event.inputs()).isEmpty();
    }

    @Test
    void plainCallIsAddressedToAll() throws Exception {
        String data = word(0) + address(CALLER) + word(0x60) + word(0);
        JobSubmittedEvent event = JobSubmittedDecoder.decode(log(List.of(TangleSignatures.JOB_SUBMITTED_TOPIC, word64(0), word64(0)), data));

        assertThat(event.isAddressedTo(OPERATOR_1)).isTrue();
    }

    @Test
    void removedFlagIsCarriedOver() throws Exception {
        String data = word(0) + address(CALLER) + word(0x60) + word(0);
        Log log = log(List.of(TangleSignatures.JOB_SUBMITTED_TOPIC, word64(0), word64(0)), data);
        log.setRemoved(true);

        assertThat(JobSubmittedDecoder.decode(log).removed()).isTrue();
    }

    @Test
    void malformedLogsNameTheField() {
        List<String> threeTopics = List.of(TangleSignatures.JOB_SUBMITTED_TOPIC, word64(0), word64(0));
        record Case(String name, Log log, String messagePart) {
        }
        List<Case> cases = List.of(
                new Case("data too short", log(threeTopics, word(0) + address(CALLER)), "inputs offset"),
                new Case("inputs past the end", log(threeTopics, word(0) + address(CALLER) + word(0x60) + word(64) + word(1)), "inputs claims 64 bytes"),
                new Case("offset outside data", log(threeTopics, word(0) + address(CALLER) + word(0x400)), "outside"),
                new Case("job index over 255", log(threeTopics, word(256) + address(CALLER) + word(0x60) + word(0)), "jobIndex"),
                new Case("dirty address padding", log(threeTopics, word(0) + "ff" + address(CALLER).substring(2) + word(0x60) + word(0)), "caller"),
                new Case("odd hex", log(threeTopics, "0x123"), "hex"),
                new Case("service id above long", log(List.of(TangleSignatures.JOB_SUBMITTED_TOPIC, "0x" + "ff".repeat(32), word64(0)),
                        word(0) + address(CALLER) + word(0x60) + word(0)), "serviceId"),
                new Case("missing call id", log(List.of(TangleSignatures.JOB_SUBMITTED_TOPIC, word64(0)), word(0)), "callId"),
                new Case("five topics", log(List.of(TangleSignatures.JOB_SUBMITTED_TOPIC, word64(0), word64(0), word64(0), word64(0)),
                        address(CALLER) + word(0x40) + word(0)), "5 topics"),
                new Case("other event", log(List.of(TangleSignatures.JOB_COMPLETED_TOPIC, word64(0), word64(0)), "0x"), "not a JobSubmitted"));

        for (Case c : cases) {
            assertThatThrownBy(() -> JobSubmittedDecoder.decode(c.log()))
                    .as(c.name())
                    .isInstanceOf(MalformedLogException.class)
                    .hasMessageContaining(c.messagePart());
        }
    }

    @Test
    void pendingLogIsRejected() {
        Log log = new Log(false, null, null, TX_HASH, null, null, CONTRACT, word(0) + address(CALLER) + word(0x60) + word(0),
                null, List.of(TangleSignatures.JOB_SUBMITTED_TOPIC, word64(0), word64(0)));

        assertThatThrownBy(() -> JobSubmittedDecoder.decode(log))
                .isInstanceOf(MalformedLogException.class)
                .hasMessageContaining("pending");
    }

    static Log log(List<String> topics, String data) {
        return new Log(false, "0x2", "0x0", TX_HASH, BLOCK_HASH, "0x1234", CONTRACT, data, null, topics);
    }

    static String word(long value) {
        return String.format("%064x", value);
    }

    static String word64(long value) {
        return "0x" + word(value);
    }

    static String address(String address) {
        return "000000000000000000000000" + address.substring(2);
    }

    private static byte[] hex(String digits) {
        return HexFormat.of().parseHex(digits.startsWith("0x") ? digits.substring(2) : digits);
    }
}
