package io.tangle.microvm.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class RevertDataTest {

    private static final String SERVICE_0 = "0".repeat(64);
    private static final String CALL_7 = "0".repeat(63) + "7";
    private static final String OPERATOR = "0".repeat(24) + "70997970c51812dc3a010c7d01b50e0d17dc79c8";

    @Test
    void jobAlreadyCompletedNamesItsCall() {
        RevertData revert = new RevertData(TangleError.JOB_ALREADY_COMPLETED.selector() + SERVICE_0 + CALL_7);

        assertThat(revert.callId()).contains(7L);
    }

    @Test
    void resultAlreadySubmittedNamesItsCall() {
        RevertData revert = new RevertData(TangleError.RESULT_ALREADY_SUBMITTED.selector() + SERVICE_0 + CALL_7 + OPERATOR);

        assertThat(revert.callId()).contains(7L);
    }

    @Test
    void largestUint64CallIdIsRead() {
        RevertData revert = new RevertData(TangleError.JOB_CALL_NOT_FOUND.selector() + SERVICE_0 + "0".repeat(48) + "f".repeat(16));

        assertThat(revert.callId()).contains(-1L);
    }

    @Test
    void errorWithoutCallArgumentNamesNoCall() {
        RevertData revert = new RevertData(TangleError.OPERATOR_NOT_IN_SERVICE.selector() + SERVICE_0 + OPERATOR);

        assertThat(revert.callId()).isEmpty();
    }

    @Test
    void truncatedDataNamesNoCall() {
        RevertData revert = new RevertData(TangleError.JOB_ALREADY_COMPLETED.selector() + SERVICE_0);

        assertThat(revert.callId()).isEmpty();
    }

    @Test
    void wordAboveUint64NamesNoCall() {
        RevertData revert = new RevertData(TangleError.JOB_ALREADY_COMPLETED.selector() + SERVICE_0 + "1" + CALL_7.substring(1));

        assertThat(revert.callId()).isEmpty();
    }

    @Test
    void rpcErrorDataIsPreferredOverMessage() {
        String data = "\"" + TangleError.JOB_ALREADY_COMPLETED.selector() + SERVICE_0 + CALL_7 + "\"";

        Optional<RevertData> revert = RevertData.fromRpcError(data, "execution reverted");

        assertThat(revert.flatMap(RevertData::tangleError)).contains(TangleError.JOB_ALREADY_COMPLETED);
    }
}
