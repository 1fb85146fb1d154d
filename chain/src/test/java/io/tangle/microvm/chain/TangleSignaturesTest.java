package io.tangle.microvm.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tangle.microvm.chain.local.ContractArtifact;
import io.tangle.microvm.chain.local.LocalTangleFunctions;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.crypto.Hash;

class TangleSignaturesTest {

    /** Canonical signature -> keccak256 hex, for every event, function and error in the compiled ABI. */
    private static final Map<String, String> ABI_HASHES = new HashMap<>();

    @BeforeAll
    static void readCompiledAbi() throws Exception {
        JsonNode abi = new ObjectMapper().readTree(ContractArtifact.localTangle().abiJson());
        for (JsonNode entry : abi) {
            if (!entry.has("name")) {
                continue;
            }
            String signature = entry.get("name").asText() + "(" + String.join(",", types(entry.get("inputs"))) + ")";
            ABI_HASHES.put(signature, Hash.sha3String(signature));
        }
    }

    @Test
    void eventTopicsMatchAbiAndGoldenValues() {
        Map<String, String> expected = Map.of(
                TangleSignatures.JOB_SUBMITTED_EVENT, "0xde37cc48d21778e1c9a075c4e41c5aff6918c3ea6151221f0af3ce8121a29db5",
                TangleSignatures.JOB_SUBMITTED_FROM_QUOTE_EVENT, "0xb707259a8a1604adca251fecf84eb283329cd45175690dcb8ff1cf52a6252422",
                TangleSignatures.JOB_RESULT_SUBMITTED_EVENT, "0x8a04f99fe23284e874e8dd017345248279cc59701695e73bcdbeb6241bcd2ac6",
                TangleSignatures.JOB_COMPLETED_EVENT, "0x60a7649f6e93e7a3ce1dc9729c20e3d95dce28c6a6bd957cde09d8a1cb37c19f",
                TangleSignatures.SERVICE_ACTIVATED_EVENT, "0x741e97ee1ff887c4d882f4c49ad280ea7d61d035e4e8a471e531951550275023",
                TangleSignatures.SERVICE_REQUESTED_EVENT, "0xbd1fdda393b679e6c4f873e233b34e2c4ea8283a3f76345dbc143b86ea047679",
                TangleSignatures.OPERATOR_REGISTERED_EVENT, "0x0455541bf5feb5fcc32e827dc18bf2175448427c6ae72c8d5e985c99e4104102");
        Map<String, String> constants = Map.of(
                TangleSignatures.JOB_SUBMITTED_EVENT, TangleSignatures.JOB_SUBMITTED_TOPIC,
                TangleSignatures.JOB_SUBMITTED_FROM_QUOTE_EVENT, TangleSignatures.JOB_SUBMITTED_FROM_QUOTE_TOPIC,
                TangleSignatures.JOB_RESULT_SUBMITTED_EVENT, TangleSignatures.JOB_RESULT_SUBMITTED_TOPIC,
                TangleSignatures.JOB_COMPLETED_EVENT, TangleSignatures.JOB_COMPLETED_TOPIC,
                TangleSignatures.SERVICE_ACTIVATED_EVENT, TangleSignatures.SERVICE_ACTIVATED_TOPIC,
                TangleSignatures.SERVICE_REQUESTED_EVENT, TangleSignatures.SERVICE_REQUESTED_TOPIC,
                TangleSignatures.OPERATOR_REGISTERED_EVENT, TangleSignatures.OPERATOR_REGISTERED_TOPIC);

        expected.forEach((signature, topic) -> {
            assertThat(ABI_HASHES).as("compiled ABI has %s", signature).containsKey(signature);
            assertThat(ABI_HASHES.get(signature)).as("ABI topic of %s", signature).isEqualTo(topic);
            assertThat(constants.get(signature)).as("constant for %s", signature).isEqualTo(topic);
        });
    }

    @Test
    void eventDefinitionsEncodeToConstants() {
        assertThat(EventEncoder.encode(TangleEvents.JOB_SUBMITTED)).isEqualTo(TangleSignatures.JOB_SUBMITTED_TOPIC);
        assertThat(EventEncoder.encode(TangleEvents.JOB_SUBMITTED_FROM_QUOTE)).isEqualTo(TangleSignatures.JOB_SUBMITTED_FROM_QUOTE_TOPIC);
        assertThat(EventEncoder.encode(TangleEvents.JOB_RESULT_SUBMITTED)).isEqualTo(TangleSignatures.JOB_RESULT_SUBMITTED_TOPIC);
        assertThat(EventEncoder.encode(TangleEvents.JOB_COMPLETED)).isEqualTo(TangleSignatures.JOB_COMPLETED_TOPIC);
        assertThat(EventEncoder.encode(TangleEvents.SERVICE_ACTIVATED)).isEqualTo(TangleSignatures.SERVICE_ACTIVATED_TOPIC);
        assertThat(EventEncoder.encode(TangleEvents.SERVICE_REQUESTED)).isEqualTo(TangleSignatures.SERVICE_REQUESTED_TOPIC);
        assertThat(EventEncoder.encode(TangleEvents.OPERATOR_REGISTERED)).isEqualTo(TangleSignatures.OPERATOR_REGISTERED_TOPIC);
    }

    @Test
    void selectorsMatchAbiAndGoldenValues() {
        Map<String, String> expected = Map.of(
                TangleSignatures.SUBMIT_JOB_FUNCTION, "0x3413e8ee",
                TangleSignatures.SUBMIT_RESULT_FUNCTION, "0x2d07e655",
                TangleSignatures.SUBMIT_RESULTS_FUNCTION, "0xaacdba9f",
                TangleSignatures.GET_JOB_CALL_FUNCTION, "0xa672bc0a",
                TangleSignatures.IS_OPERATOR_REGISTERED_FUNCTION, "0x64462595",
                TangleSignatures.REGISTER_OPERATOR_FUNCTION, "0xd4e1ab7c",
                TangleSignatures.REQUEST_SERVICE_FUNCTION, "0xa37b9286",
                TangleSignatures.APPROVE_SERVICE_FUNCTION, "0x614823b2",
                TangleSignatures.ADD_PERMITTED_CALLER_FUNCTION, "0x815d6a26");
        Map<String, String> constants = Map.of(
                TangleSignatures.SUBMIT_JOB_FUNCTION, TangleSignatures.SUBMIT_JOB_SELECTOR,
                TangleSignatures.SUBMIT_RESULT_FUNCTION, TangleSignatures.SUBMIT_RESULT_SELECTOR,
                TangleSignatures.SUBMIT_RESULTS_FUNCTION, TangleSignatures.SUBMIT_RESULTS_SELECTOR,
                TangleSignatures.GET_JOB_CALL_FUNCTION, TangleSignatures.GET_JOB_CALL_SELECTOR,
                TangleSignatures.IS_OPERATOR_REGISTERED_FUNCTION, TangleSignatures.IS_OPERATOR_REGISTERED_SELECTOR,
                TangleSignatures.REGISTER_OPERATOR_FUNCTION, TangleSignatures.REGISTER_OPERATOR_SELECTOR,
                TangleSignatures.REQUEST_SERVICE_FUNCTION, TangleSignatures.REQUEST_SERVICE_SELECTOR,
                TangleSignatures.APPROVE_SERVICE_FUNCTION, TangleSignatures.APPROVE_SERVICE_SELECTOR,
                TangleSignatures.ADD_PERMITTED_CALLER_FUNCTION, TangleSignatures.ADD_PERMITTED_CALLER_SELECTOR);

        expected.forEach((signature, selector) -> {
            assertThat(ABI_HASHES).as("compiled ABI has %s", signature).containsKey(signature);
            assertThat(ABI_HASHES.get(signature).substring(0, 10)).as("ABI selector of %s", signature).isEqualTo(selector);
            assertThat(constants.get(signature)).as("constant for %s", signature).isEqualTo(selector);
        });
    }

    @Test
    void functionsStartWithSelectors() {
        List<String> operators = List.of("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
        Map<String, String> encoded = Map.of(
                TangleSignatures.SUBMIT_JOB_SELECTOR, FunctionEncoder.encode(TangleFunctions.submitJob(0, 0, new byte[0])),
                TangleSignatures.SUBMIT_RESULT_SELECTOR, FunctionEncoder.encode(TangleFunctions.submitResult(0, 0, new byte[0])),
                TangleSignatures.SUBMIT_RESULTS_SELECTOR, FunctionEncoder.encode(TangleFunctions.submitResults(0, List.of(0L),
                        List.of(new byte[0]))),
                TangleSignatures.GET_JOB_CALL_SELECTOR, FunctionEncoder.encode(TangleFunctions.getJobCall(0, 0)),
                TangleSignatures.IS_OPERATOR_REGISTERED_SELECTOR, FunctionEncoder.encode(TangleFunctions.isOperatorRegistered(0, operators.get(0))),
                TangleSignatures.REGISTER_OPERATOR_SELECTOR, FunctionEncoder.encode(TangleFunctions.registerOperator(0, new byte[65], "")),
                TangleSignatures.REQUEST_SERVICE_SELECTOR, FunctionEncoder.encode(TangleFunctions.requestService(0, operators, new byte[0],
                        List.of(), 0, "0x0000000000000000000000000000000000000000", BigInteger.ZERO)),
                TangleSignatures.APPROVE_SERVICE_SELECTOR, FunctionEncoder.encode(TangleFunctions.approveService(0, 50)),
                TangleSignatures.ADD_PERMITTED_CALLER_SELECTOR, FunctionEncoder.encode(TangleFunctions.addPermittedCaller(0, operators.get(0))));

        encoded.forEach((selector, calldata) -> assertThat(calldata).as("calldata for %s", selector).startsWith(selector));
    }

    @Test
    void localFunctionsMatchAbiSelectors() {
        String createBlueprint = FunctionEncoder.encode(LocalTangleFunctions.createBlueprint(
                List.of(LocalTangleFunctions.JobDefinition.named("create_vm")), 1));
        String fromQuote = FunctionEncoder.encode(LocalTangleFunctions.submitJobFromQuoteUnsigned(0, 0, new byte[0], List.of()));

        assertThat(createBlueprint).startsWith(ABI_HASHES.get("createBlueprint((string,string,string,bytes,bytes)[],uint32)").substring(0, 10));
        assertThat(fromQuote).startsWith(ABI_HASHES.get("submitJobFromQuoteUnsigned(uint64,uint8,bytes,address[])").substring(0, 10));
    }

    @Test
    void errorSelectorsMatchAbi() {
        List<TangleError> declaredLocally = List.of(TangleError.JOB_ALREADY_COMPLETED, TangleError.RESULT_ALREADY_SUBMITTED,
                TangleError.OPERATOR_NOT_IN_SERVICE, TangleError.NOT_PERMITTED_CALLER, TangleError.INVALID_JOB_INDEX,
                TangleError.SERVICE_NOT_ACTIVE, TangleError.JOB_CALL_NOT_FOUND);

        for (TangleError error : declaredLocally) {
            assertThat(ABI_HASHES).as("compiled ABI declares %s", error.signature()).containsKey(error.signature());
            assertThat(ABI_HASHES.get(error.signature()).substring(0, 10)).as("selector of %s", error.signature()).isEqualTo(error.selector());
        }
    }

    @Test
    void errorSelectorsHashTheirSignatures() {
        for (TangleError error : TangleError.values()) {
            assertThat(Hash.sha3String(error.signature()).substring(0, 10)).as(error.signature()).isEqualTo(error.selector());
        }
    }

    @Test
    void submitResultCalldataIsGolden() {
        byte[] abiTrue = new byte[32];
        abiTrue[31] = 1;

        String calldata = FunctionEncoder.encode(TangleFunctions.submitResult(0, 5, abiTrue));

        assertThat(calldata).isEqualTo("0x2d07e655"
                + "0000000000000000000000000000000000000000000000000000000000000000"
                + "0000000000000000000000000000000000000000000000000000000000000005"
                + "0000000000000000000000000000000000000000000000000000000000000060"
                + "0000000000000000000000000000000000000000000000000000000000000020"
                + "0000000000000000000000000000000000000000000000000000000000000001");
    }

    @Test
    void submitResultsCalldataIsGolden() {
        byte[] abiTrue = new byte[32];
        abiTrue[31] = 1;

        String calldata = FunctionEncoder.encode(TangleFunctions.submitResults(0, List.of(5L, 6L), List.of(abiTrue, abiTrue)));

        // Head: serviceId, then the offsets of the two arrays. Each bytes element of the second
        // array is found through an offset counted from the start of that array's elements.
        assertThat(calldata).isEqualTo("0xaacdba9f"
                + "0000000000000000000000000000000000000000000000000000000000000000"
                + "0000000000000000000000000000000000000000000000000000000000000060"
                + "00000000000000000000000000000000000000000000000000000000000000c0"
                + "0000000000000000000000000000000000000000000000000000000000000002"
                + "0000000000000000000000000000000000000000000000000000000000000005"
                + "0000000000000000000000000000000000000000000000000000000000000006"
                + "0000000000000000000000000000000000000000000000000000000000000002"
                + "0000000000000000000000000000000000000000000000000000000000000040"
                + "0000000000000000000000000000000000000000000000000000000000000080"
                + "0000000000000000000000000000000000000000000000000000000000000020"
                + "0000000000000000000000000000000000000000000000000000000000000001"
                + "0000000000000000000000000000000000000000000000000000000000000020"
                + "0000000000000000000000000000000000000000000000000000000000000001");
    }

    @Test
    void submitResultsRejectsUnpairedLists() {
        assertThatThrownBy(() -> TangleFunctions.submitResults(0, List.of(1L, 2L), List.of(new byte[0])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 call ids, 1 results");
        assertThatThrownBy(() -> TangleFunctions.submitResults(0, List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one call");
    }

    @Test
    void negativeIdsAreRejected() {
        assertThatThrownBy(() -> TangleFunctions.submitResult(-1, 0, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("serviceId");
        assertThatThrownBy(() -> TangleFunctions.submitJob(0, 256, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jobIndex");
    }

    /** Canonical parameter types of an ABI entry, with tuples expanded. */
    private static List<String> types(JsonNode inputs) {
        List<String> result = new ArrayList<>();
        for (JsonNode input : inputs) {
            String type = input.get("type").asText();
            if (type.startsWith("tuple")) {
                type = "(" + String.join(",", types(input.get("components"))) + ")" + type.substring("tuple".length());
            }
            result.add(type);
        }
        return result;
    }
}
