package io.tangle.microvm.chain;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.FunctionEncoder;

/** The attempts to land one {@code submitResult} transaction for one call; used once, on one thread. */
final class ResultSubmission {

    private static final Logger log = LoggerFactory.getLogger(ResultSubmitter.class);

    private final ResultSubmitter.Context context;
    private final long serviceId;
    private final long callId;
    private final byte[] result;
    private final CallBlock block;

    /** @param block the block that announced the call, or null when unknown (then it is not checked) */
    ResultSubmission(ResultSubmitter.Context context, long serviceId, long callId, byte[] result, CallBlock block) {
        this.context = context;
        this.serviceId = serviceId;
        this.callId = callId;
        this.result = result;
        this.block = block;
    }

    SubmissionResult run() {
        String calldata = FunctionEncoder.encode(TangleFunctions.submitResult(serviceId, callId, result));
        String subject = "the result of service " + serviceId + " call " + callId;
        Map<Long, CallBlock> blocks = block == null ? Map.of() : Map.of(callId, block);
        TransactionOutcome outcome = new TransactionAttempts(context, subject, calldata,
                TransactionAttempts.RevertPolicy.RETRY_UNLESS_ANSWERED, blocks).run();
        return toResult(serviceId, callId, outcome);
    }

    /** Returns what the outcome of a transaction that carried the call's result means for the call. */
    static SubmissionResult toResult(long serviceId, long callId, TransactionOutcome outcome) {
        return switch (outcome) {
            case TransactionOutcome.Mined mined -> new SubmissionResult(serviceId, callId,
                    SubmissionResult.Status.SUBMITTED, mined.transactionHash(), mined.attempts(), null);
            case TransactionOutcome.Rejected rejected when TransactionAttempts.isAlreadyAnswered(rejected.reason()) -> {
                log.info("Service {} call {} needs no result from this operator: the contract reverted with {}, so"
                        + " another operator, or an earlier transaction of this one, submitted it", serviceId, callId,
                        rejected.reason().get().describe());
                yield new SubmissionResult(serviceId, callId, SubmissionResult.Status.ALREADY_DONE,
                        rejected.transactionHash(), rejected.attempts(), null);
            }
            case TransactionOutcome.Rejected rejected -> new SubmissionResult(serviceId, callId,
                    SubmissionResult.Status.FAILED, rejected.transactionHash(), rejected.attempts(), rejected.message());
            case TransactionOutcome.Failed failed -> new SubmissionResult(serviceId, callId,
                    SubmissionResult.Status.FAILED, failed.transactionHash(), failed.attempts(), failed.error());
            case TransactionOutcome.Orphaned orphaned when orphaned.callIds().contains(callId) -> new SubmissionResult(
                    serviceId, callId, SubmissionResult.Status.ORPHANED, orphaned.transactionHash(), orphaned.attempts(),
                    orphaned.message());
            case TransactionOutcome.Orphaned orphaned -> new SubmissionResult(serviceId, callId,
                    SubmissionResult.Status.FAILED, orphaned.transactionHash(), orphaned.attempts(),
                    "not sent, because other calls of the same transaction were orphaned: " + orphaned.message());
        };
    }
}
