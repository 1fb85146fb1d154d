package io.tangle.microvm.chain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.FunctionEncoder;

/**
 * The results of several calls of one service, sent together in {@code submitResults}
 * transactions; used once, on one thread. Completes every member's future exactly once.
 *
 * <p>The contract reverts the whole batch when one call in it reverts. A call that is already
 * answered ({@code JobAlreadyCompleted} or {@code ResultAlreadySubmitted}, which name the call) is
 * taken out as done and the rest is sent again. Any other rejection, which may name no call, makes
 * every remaining result go out in a {@code submitResult} transaction of its own, so that each call
 * gets its own outcome and a rejected call cannot hold back the others. A call whose block left the
 * chain is taken out with status {@code ORPHANED} before anything is signed for it.
 */
final class ResultBatch {

    private static final Logger log = LoggerFactory.getLogger(ResultSubmitter.class);

    /**
     * One result waiting to be sent, and the future of its submission.
     *
     * @param block the block that announced the call, or null when unknown
     */
    record Member(long serviceId, long callId, byte[] result, CallBlock block, CompletableFuture<SubmissionResult> future) {
    }

    private static final int SUBJECT_CALL_IDS = 4;

    private final ResultSubmitter.Context context;
    private final long serviceId;
    private final List<Member> remaining;

    /** @param members results of the service {@code serviceId}, at least one */
    ResultBatch(ResultSubmitter.Context context, long serviceId, List<Member> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a result batch needs at least one member");
        }
        this.context = context;
        this.serviceId = serviceId;
        this.remaining = new ArrayList<>(members);
    }

    void run() {
        try {
            sendBatches();
        } finally {
            // Completes nothing that already has an outcome, so this only catches a bug above.
            for (Member member : remaining) {
                member.future().complete(new SubmissionResult(serviceId, member.callId(), SubmissionResult.Status.FAILED,
                        null, 0, "the result batch ended without an outcome for this call"));
            }
        }
    }

    private void sendBatches() {
        while (remaining.size() > 1) {
            TransactionOutcome outcome = new TransactionAttempts(context, subject(), calldata(),
                    TransactionAttempts.RevertPolicy.REJECT_AT_ONCE, callBlocks()).run();

            if (outcome instanceof TransactionOutcome.Orphaned orphaned) {
                completeOrphaned(orphaned);
                continue;
            }
            if (!(outcome instanceof TransactionOutcome.Rejected rejected)) {
                completeAll(outcome);
                return;
            }
            Optional<Member> answered = answeredMember(rejected);
            if (answered.isEmpty()) {
                log.warn("The contract rejected {} ({}); sending these {} results one by one to find the call it rejects",
                        subject(), rejected.message(), remaining.size());
                sendSingly();
                return;
            }

            Member member = answered.get();
            remaining.remove(member);
            member.future().complete(ResultSubmission.toResult(serviceId, member.callId(), rejected));
        }

        if (remaining.size() == 1) {
            Member last = remaining.removeFirst();
            last.future().complete(new ResultSubmission(context, serviceId, last.callId(), last.result(), last.block()).run());
        }
    }

    /** Returns the member whose call the rejection reports as already having its result, if it names one of them. */
    private Optional<Member> answeredMember(TransactionOutcome.Rejected rejected) {
        if (!TransactionAttempts.isAlreadyAnswered(rejected.reason())) {
            return Optional.empty();
        }
        Optional<Long> callId = rejected.reason().flatMap(RevertData::callId);
        return remaining.stream()
                .filter(member -> callId.isPresent() && member.callId() == callId.get())
                .findFirst();
    }

    /** Takes the orphaned calls out of the batch with their outcome; the rest stays to be sent. */
    private void completeOrphaned(TransactionOutcome.Orphaned orphaned) {
        List<Member> orphanedMembers = remaining.stream()
                .filter(member -> orphaned.callIds().contains(member.callId()))
                .toList();
        if (orphanedMembers.isEmpty()) {
            // Cannot happen, because only members' blocks are checked; ending the batch avoids a loop.
            completeAll(orphaned);
            return;
        }
        remaining.removeAll(orphanedMembers);
        for (Member member : orphanedMembers) {
            member.future().complete(ResultSubmission.toResult(serviceId, member.callId(), orphaned));
        }
    }

    private Map<Long, CallBlock> callBlocks() {
        Map<Long, CallBlock> blocks = new HashMap<>();
        for (Member member : remaining) {
            if (member.block() != null) {
                blocks.put(member.callId(), member.block());
            }
        }
        return blocks;
    }

    private void completeAll(TransactionOutcome outcome) {
        for (Member member : remaining) {
            member.future().complete(ResultSubmission.toResult(serviceId, member.callId(), outcome));
        }
        remaining.clear();
    }

    /** Sends each remaining result in a transaction of its own, all at once, and waits for them all. */
    private void sendSingly() {
        List<Member> members = List.copyOf(remaining);
        remaining.clear();
        try (ExecutorService singles = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Member member : members) {
                singles.execute(() -> {
                    try {
                        member.future().complete(new ResultSubmission(context, serviceId, member.callId(), member.result(),
                                member.block()).run());
                    } catch (RuntimeException e) {
                        log.error("Unexpected error sending the result of service {} call {}", serviceId, member.callId(), e);
                        member.future().complete(new SubmissionResult(serviceId, member.callId(),
                                SubmissionResult.Status.FAILED, null, 0, "unexpected error: " + e));
                    }
                });
            }
        }
    }

    private String calldata() {
        List<Long> callIds = remaining.stream().map(Member::callId).toList();
        List<byte[]> results = remaining.stream().map(Member::result).toList();
        return FunctionEncoder.encode(TangleFunctions.submitResults(serviceId, callIds, results));
    }

    /** Names the batch in logs: its first call ids and how many results it carries. */
    private String subject() {
        String firstCallIds = remaining.stream()
                .limit(SUBJECT_CALL_IDS)
                .map(member -> Long.toUnsignedString(member.callId()))
                .collect(Collectors.joining(", "));
        String more = remaining.size() > SUBJECT_CALL_IDS ? " and " + (remaining.size() - SUBJECT_CALL_IDS) + " more" : "";
        return remaining.size() + " results of service " + serviceId + " (calls " + firstCallIds + more + ")";
    }
}
