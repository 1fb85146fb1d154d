package io.tangle.microvm.app.operator;

import io.tangle.microvm.chain.CallBlock;
import io.tangle.microvm.chain.ResultSubmitter;
import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.SubmissionResult;
import io.tangle.microvm.jobs.JobCall;
import io.tangle.microvm.jobs.JobCompletionListener;
import io.tangle.microvm.jobs.JobExecution;
import io.tangle.microvm.jobs.JobResults;
import io.tangle.microvm.store.CallAtPosition;
import io.tangle.microvm.store.ChainCursor;
import io.tangle.microvm.store.SqliteStore;
import io.tangle.microvm.store.SubmissionRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the result of every successful call on chain and records each submission's state in the
 * store, so {@code GET /jobs/{call_id}} shows it and a restarted operator resends what did not
 * land. Failed calls send nothing, as in the Rust blueprint: their error is in the journal.
 *
 * <p>At most one submission per call runs at a time: a call delivered again while its result is
 * being sent (a resend at start-up and the rescan of the same call) waits for that submission. A
 * record of this operator's own mined transaction is never replaced by a weaker state. When the
 * contract reports a call already completed, the chain is searched for this operator's own
 * {@code JobResultSubmitted} log, which a kill may have left unrecorded.
 *
 * <p>A submission whose attempts all fail, as during an RPC outage longer than the submitter's
 * backoff, gets further rounds after a pause while the call has fewer than {@code maxAttempts}
 * recorded attempts, the same cap that bounds resends at start-up. The call counts as finished
 * only when its result landed, the attempts ran out, or the operator stops.
 */
final class ResultPublisher implements JobCompletionListener {

    private static final Logger log = LoggerFactory.getLogger(ResultPublisher.class);

    private static final Duration FIRST_RETRY_PAUSE = Duration.ofSeconds(5);
    private static final Duration MAX_RETRY_PAUSE = Duration.ofSeconds(60);

    /**
     * One result to send.
     *
     * @param block the block that announced the call, or null when unknown
     */
    private record Request(long serviceId, long callId, long fromBlock, CallBlock block, byte[] result) {
    }

    private final ResultSubmitter submitter;
    private final SqliteStore store;
    private final ProgressTracker progress;
    private final OwnResultLookup ownResults;
    private final CompletionCheck completion;
    private final int maxAttempts;
    private final boolean dryRun;
    private final Clock clock;
    private final CountDownLatch stopping = new CountDownLatch(1);
    /** Submissions in progress by call id, each completed once its records and follow-up work are done. */
    private final ConcurrentMap<Long, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

    /** @param maxAttempts the recorded attempts after which a call's result is no longer sent */
    ResultPublisher(ResultSubmitter submitter, SqliteStore store, ProgressTracker progress, OwnResultLookup ownResults,
            CompletionCheck completion, int maxAttempts, boolean dryRun, Clock clock) {
        this.submitter = Objects.requireNonNull(submitter, "submitter");
        this.completion = Objects.requireNonNull(completion, "completion");
        this.store = Objects.requireNonNull(store, "store");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.ownResults = Objects.requireNonNull(ownResults, "ownResults");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.dryRun = dryRun;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void onCompleted(JobCall call, JobExecution execution) {
        if (!(execution instanceof JobExecution.Succeeded succeeded)) {
            progress.finished(call.blockNumber(), call.logIndex());
            return;
        }
        if (dryRun) {
            log.info("dry run: not sending the result of job call {}", Long.toUnsignedString(call.callId()));
            progress.finished(call.blockNumber(), call.logIndex());
            return;
        }

        CallBlock block = call.blockHash() == null ? null : new CallBlock(call.blockNumber(), call.blockHash());
        publish(call.serviceId(), call.callId(), call.blockNumber(), block, succeeded.result(),
                () -> progress.finished(call.blockNumber(), call.logIndex()));
    }

    /**
     * Resends results that a previous run recorded as pending, or as failed after fewer than
     * {@code maxAttempts}. A pending record belongs to a call after the stored cursor, because the
     * cursor passes a call only once its submission settled, so an unrecorded result of it is
     * searched for from the cursor on.
     */
    void resendPending(long serviceId) {
        long fromBlock = store.cursor().map(ChainCursor::blockNumber).orElse(0L);
        Map<Long, CallBlock> blocks = new HashMap<>();
        for (CallAtPosition call : store.outcomesFromBlock(fromBlock)) {
            if (call.blockHash() != null) {
                blocks.put(call.callId(), new CallBlock(call.blockNumber(), call.blockHash()));
            }
        }

        List<SubmissionRecord> pending = store.pendingSubmissions(maxAttempts);
        if (!pending.isEmpty()) {
            log.info("resending {} results that the previous run did not land, from job call {} to {}", pending.size(),
                    Long.toUnsignedString(pending.getFirst().callId()), Long.toUnsignedString(pending.getLast().callId()));
        }
        for (SubmissionRecord submission : pending) {
            log.debug("resending the result of job call {} (last state {}, attempts: {})",
                    Long.toUnsignedString(submission.callId()), submission.status(), submission.attempts());
            publish(serviceId, submission.callId(), fromBlock, blocks.get(submission.callId()), JobResults.abiTrue(),
                    () -> { });
        }
    }

    /**
     * Ends the pauses between rounds at once and starts no further round, so that a stop does not
     * wait for them. Failed results stay recorded as failed, and the next start resends them.
     */
    void stopRetries() {
        stopping.countDown();
    }

    /** Waits up to {@code timeout} for submissions in progress; returns whether all ended. */
    boolean awaitSubmissions(Duration timeout) {
        CompletableFuture<?>[] running = inFlight.values().toArray(CompletableFuture<?>[]::new);
        try {
            CompletableFuture.allOf(running).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            log.warn("{} result submissions still running after {} ms", inFlight.size(), timeout.toMillis());
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Sends one result and records the outcome, then runs {@code afterwards}. When a submission
     * for the call is already running, only waits for it and then runs {@code afterwards}.
     *
     * @param fromBlock the block from which to search for this operator's own result if the
     *     contract reports the call completed: the call's block, or a block before it
     */
    private void publish(long serviceId, long callId, long fromBlock, CallBlock block, byte[] result, Runnable afterwards) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> running = inFlight.putIfAbsent(callId, done);
        if (running != null) {
            log.info("the result of job call {} is already being sent; waiting for that submission",
                    Long.toUnsignedString(callId));
            running.whenComplete((ignored, failure) -> afterRunningSubmission(serviceId, callId, fromBlock, block, result,
                    afterwards));
            return;
        }

        SubmissionRecord previous = findSubmission(callId);
        if (previous == null && completion.isCompleted(serviceId, callId)) {
            // No record means this operator never sent a result: a PENDING record is written first.
            log.info("job call {} is already completed on chain by another operator; not sending a result",
                    Long.toUnsignedString(callId));
            save(new SubmissionRecord(callId, SubmissionRecord.Status.ALREADY_DONE, null, 0, null, clock.instant()));
            inFlight.remove(callId, done);
            afterwards.run();
            done.complete(null);
            return;
        }
        if (previous == null || (previous.status() != SubmissionRecord.Status.SUBMITTED
                && previous.status() != SubmissionRecord.Status.ALREADY_DONE)) {
            save(new SubmissionRecord(callId, SubmissionRecord.Status.PENDING, previousHash(previous),
                    previousAttempts(previous), null, clock.instant()));
        }

        CompletableFuture<Void> settled = new CompletableFuture<>();
        sendRound(new Request(serviceId, callId, fromBlock, block, result), previous, 1, settled);
        settled.thenRun(() -> inFlight.remove(callId, done))
                .thenRun(afterwards)
                .whenComplete((ignored, failure) -> done.complete(null));
    }

    /**
     * Continues a delivery that waited for a submission of the same call id. When that submission
     * left no record or ended orphaned, it belonged to a call that left the chain, and the id now
     * belongs to the delivered call, so that call's result is sent. Otherwise the delivery is done.
     */
    private void afterRunningSubmission(long serviceId, long callId, long fromBlock, CallBlock block, byte[] result,
            Runnable afterwards) {
        SubmissionRecord after = findSubmission(callId);
        if (after == null || after.status() == SubmissionRecord.Status.ORPHANED) {
            log.info("sending the result of job call {}: the submission that ran before it ended {}",
                    Long.toUnsignedString(callId), after == null ? "without a record" : "orphaned");
            publish(serviceId, callId, fromBlock, block, result, afterwards);
            return;
        }
        afterwards.run();
    }

    /**
     * Sends one round of attempts and records its end. After a failed round it pauses and sends
     * another while attempts remain; completes {@code settled} after the last round.
     */
    private void sendRound(Request request, SubmissionRecord previous, int round, CompletableFuture<Void> settled) {
        submitter.submit(request.serviceId(), request.callId(), request.result(), request.block())
                .whenComplete((submission, failure) -> endRound(request, previous, round, settled, submission, failure));
    }

    /** Records how round {@code round} ended, then starts the next round or completes {@code settled}. */
    private void endRound(Request request, SubmissionRecord previous, int round, CompletableFuture<Void> settled,
            SubmissionResult submission, Throwable failure) {
        SubmissionRecord recorded = null;
        boolean again = false;
        try {
            recorded = settle(request, previous, submission, failure);
            again = shouldRetry(recorded, round);
        } catch (RuntimeException e) {
            log.error("could not settle the result submission of job call {}", Long.toUnsignedString(request.callId()), e);
        }

        if (again) {
            sendRound(request, recorded, round + 1, settled);
        } else {
            settled.complete(null);
        }
    }

    /** Returns whether a failed round gets another, after pausing for it; false once stopping. */
    private boolean shouldRetry(SubmissionRecord recorded, int round) {
        if (recorded == null || recorded.status() != SubmissionRecord.Status.FAILED) {
            return false;
        }
        String callId = Long.toUnsignedString(recorded.callId());
        if (recorded.attempts() >= maxAttempts) {
            log.error("giving up on the result of job call {} after {} attempts: the call has no result from this"
                    + " operator on chain; last error: {}", callId, recorded.attempts(), recorded.error());
            return false;
        }

        Duration pause = retryPause(round);
        log.warn("the result of job call {} is still not sent after {} attempts; trying again in {} s (at most {}"
                + " attempts): {}", callId, recorded.attempts(), pause.toSeconds(), maxAttempts, recorded.error());
        try {
            if (stopping.await(pause.toMillis(), TimeUnit.MILLISECONDS)) {
                log.info("not sending the result of job call {} again: the operator is stopping; the next start resends"
                        + " it", callId);
                return false;
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Returns the pause before round {@code round + 1}: 5 s, doubling, at most 60 s. */
    private static Duration retryPause(int round) {
        Duration pause = FIRST_RETRY_PAUSE;
        for (int i = 1; i < round && pause.compareTo(MAX_RETRY_PAUSE) < 0; i++) {
            pause = pause.multipliedBy(2);
        }
        return pause.compareTo(MAX_RETRY_PAUSE) > 0 ? MAX_RETRY_PAUSE : pause;
    }

    /** Records how a round ended and returns the record written, or null when none was. */
    private SubmissionRecord settle(Request request, SubmissionRecord previous, SubmissionResult submission,
            Throwable failure) {
        long callId = request.callId();
        if (failure != null) {
            log.error("result submission of job call {} failed unexpectedly", Long.toUnsignedString(callId), failure);
            return save(new SubmissionRecord(callId, SubmissionRecord.Status.FAILED, previousHash(previous),
                    previousAttempts(previous) + 1, String.valueOf(failure.getMessage()), clock.instant()));
        }

        int attempts = previousAttempts(previous) + submission.attempts();
        return switch (submission.status()) {
            case SUBMITTED -> save(new SubmissionRecord(callId, SubmissionRecord.Status.SUBMITTED,
                    submission.transactionHash(), attempts, null, clock.instant()));
            case FAILED -> save(new SubmissionRecord(callId, SubmissionRecord.Status.FAILED,
                    submission.transactionHash() != null ? submission.transactionHash() : previousHash(previous),
                    attempts, submission.error(), clock.instant()));
            case ALREADY_DONE -> settleCompleted(callId, request.fromBlock(), previous, submission, attempts);
            case ORPHANED -> {
                log.error("not sending the result of job call {}: {}", Long.toUnsignedString(callId), submission.error());
                yield save(new SubmissionRecord(callId, SubmissionRecord.Status.ORPHANED, previousHash(previous), attempts,
                        submission.error(), clock.instant()));
            }
        };
    }

    /**
     * Records a call that the contract reports completed. A stored record of this operator's own
     * transaction stays. When an earlier submission left a pending or failed record, the chain
     * decides: this operator's own result, sent before a kill and never recorded, is recorded as
     * submitted with its transaction, and anything else as already done by another operator.
     */
    private SubmissionRecord settleCompleted(long callId, long fromBlock, SubmissionRecord previous,
            SubmissionResult submission, int attempts) {
        if (previous != null && previous.status() == SubmissionRecord.Status.SUBMITTED) {
            log.info("job call {} keeps its recorded result transaction {}", Long.toUnsignedString(callId),
                    previous.txHash());
            return previous;
        }
        if (previous == null) {
            // No earlier submission was recorded, so this operator sent nothing for the call before this one.
            return save(new SubmissionRecord(callId, SubmissionRecord.Status.ALREADY_DONE, submission.transactionHash(),
                    attempts, null, clock.instant()));
        }

        Optional<String> own = Optional.empty();
        try {
            own = ownResults.find(submission.serviceId(), callId, fromBlock);
        } catch (RpcException e) {
            log.warn("could not search the chain for this operator's result of job call {}; recording it as already"
                    + " done by another operator: {}", Long.toUnsignedString(callId), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }

        if (own.isPresent()) {
            log.info("job call {} was completed by this operator's transaction {}, sent before a restart",
                    Long.toUnsignedString(callId), own.get());
            return save(new SubmissionRecord(callId, SubmissionRecord.Status.SUBMITTED, own.get(), Math.max(1, attempts),
                    null, clock.instant()));
        }
        return save(new SubmissionRecord(callId, SubmissionRecord.Status.ALREADY_DONE, submission.transactionHash(),
                attempts, null, clock.instant()));
    }

    /** Returns the call's submission record, or null when it has none or the store cannot be read. */
    private SubmissionRecord findSubmission(long callId) {
        try {
            return store.findSubmission(callId).orElse(null);
        } catch (RuntimeException e) {
            log.error("could not read the submission record of job call {}; sending its result as if it had none",
                    Long.toUnsignedString(callId), e);
            return null;
        }
    }

    private static String previousHash(SubmissionRecord previous) {
        return previous == null ? null : previous.txHash();
    }

    private static int previousAttempts(SubmissionRecord previous) {
        return previous == null ? 0 : previous.attempts();
    }

    /** Stores the record and returns it; a store failure is logged, and the record is still returned. */
    private SubmissionRecord save(SubmissionRecord record) {
        try {
            store.saveSubmission(record);
        } catch (RuntimeException e) {
            log.error("could not record the {} submission of job call {}", record.status(),
                    Long.toUnsignedString(record.callId()), e);
        }
        return record;
    }
}
