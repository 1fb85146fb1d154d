package io.tangle.microvm.chain;

/**
 * Event topic0 hashes and function selectors of the Tangle core contract (tnt-core v0.10.4), as
 * lowercase {@code 0x} hex.
 *
 * <p>Each value is keccak256 of the canonical signature next to it (the first 4 bytes for a
 * selector). The tests recompute every value from the compiled local contract's ABI and compare it
 * with the values observed on the real contract.
 */
public final class TangleSignatures {

    public static final String JOB_SUBMITTED_EVENT = "JobSubmitted(uint64,uint64,uint8,address,bytes)";
    public static final String JOB_SUBMITTED_TOPIC = "0xde37cc48d21778e1c9a075c4e41c5aff6918c3ea6151221f0af3ce8121a29db5";

    public static final String JOB_SUBMITTED_FROM_QUOTE_EVENT =
            "JobSubmittedFromQuote(uint64,uint64,uint8,address,address[],uint256,bytes)";
    public static final String JOB_SUBMITTED_FROM_QUOTE_TOPIC =
            "0xb707259a8a1604adca251fecf84eb283329cd45175690dcb8ff1cf52a6252422";

    public static final String JOB_RESULT_SUBMITTED_EVENT = "JobResultSubmitted(uint64,uint64,address,bytes)";
    public static final String JOB_RESULT_SUBMITTED_TOPIC =
            "0x8a04f99fe23284e874e8dd017345248279cc59701695e73bcdbeb6241bcd2ac6";

    public static final String JOB_COMPLETED_EVENT = "JobCompleted(uint64,uint64)";
    public static final String JOB_COMPLETED_TOPIC = "0x60a7649f6e93e7a3ce1dc9729c20e3d95dce28c6a6bd957cde09d8a1cb37c19f";

    public static final String SERVICE_ACTIVATED_EVENT = "ServiceActivated(uint64,uint64,uint64)";
    public static final String SERVICE_ACTIVATED_TOPIC = "0x741e97ee1ff887c4d882f4c49ad280ea7d61d035e4e8a471e531951550275023";

    public static final String SERVICE_REQUESTED_EVENT = "ServiceRequested(uint64,uint64,address)";
    public static final String SERVICE_REQUESTED_TOPIC = "0xbd1fdda393b679e6c4f873e233b34e2c4ea8283a3f76345dbc143b86ea047679";

    public static final String OPERATOR_REGISTERED_EVENT = "OperatorRegistered(uint64,address,bytes,string)";
    public static final String OPERATOR_REGISTERED_TOPIC = "0x0455541bf5feb5fcc32e827dc18bf2175448427c6ae72c8d5e985c99e4104102";

    public static final String SUBMIT_JOB_FUNCTION = "submitJob(uint64,uint8,bytes)";
    public static final String SUBMIT_JOB_SELECTOR = "0x3413e8ee";

    public static final String SUBMIT_RESULT_FUNCTION = "submitResult(uint64,uint64,bytes)";
    public static final String SUBMIT_RESULT_SELECTOR = "0x2d07e655";

    public static final String SUBMIT_RESULTS_FUNCTION = "submitResults(uint64,uint64[],bytes[])";
    public static final String SUBMIT_RESULTS_SELECTOR = "0xaacdba9f";

    public static final String GET_JOB_CALL_FUNCTION = "getJobCall(uint64,uint64)";
    public static final String GET_JOB_CALL_SELECTOR = "0xa672bc0a";

    public static final String IS_OPERATOR_REGISTERED_FUNCTION = "isOperatorRegistered(uint64,address)";
    public static final String IS_OPERATOR_REGISTERED_SELECTOR = "0x64462595";

    public static final String REGISTER_OPERATOR_FUNCTION = "registerOperator(uint64,bytes,string)";
    public static final String REGISTER_OPERATOR_SELECTOR = "0xd4e1ab7c";

    public static final String REQUEST_SERVICE_FUNCTION =
            "requestService(uint64,address[],bytes,address[],uint64,address,uint256)";
    public static final String REQUEST_SERVICE_SELECTOR = "0xa37b9286";

    public static final String APPROVE_SERVICE_FUNCTION = "approveService(uint64,uint8)";
    public static final String APPROVE_SERVICE_SELECTOR = "0x614823b2";

    public static final String ADD_PERMITTED_CALLER_FUNCTION = "addPermittedCaller(uint64,address)";
    public static final String ADD_PERMITTED_CALLER_SELECTOR = "0x815d6a26";

    private TangleSignatures() {
    }
}
