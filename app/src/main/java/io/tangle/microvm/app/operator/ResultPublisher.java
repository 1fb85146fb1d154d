package io.tangle.microvm.app.operator;

import io.tangle.microvm.chain.ResultSubmitter;
import io.tangle.microvm.chain.SubmissionResult;
import io.tangle.microvm.jobs.JobCall;
import io.tangle.microvm.jobs.JobCompletionListener;
import io.tangle.microvm.jobs.JobExecution;
import io.tangle.microvm.jobs.JobResults;
import io.tangle.microvm.store.SqliteStore;
import io.tangle.microvm.store.SubmissionRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the result of every successful call on chain and records each submission's state in the
 * store, so {@code GET /jobs/{call_id}} shows it and a restarted operator resends what did not
 * land. Failed calls send nothing, as in the Rust blueprint: their error is in the journal.
 */
final class ResultPublisher implements JobCompletionListener {

    private static final Logger log = LoggerFactory.getLogger(ResultPublisher.class);

    private final ResultSubmitter submitter;
    private final SqliteStore store;
    private final ProgressTracker progress;
    private final boolean dryRun;
    private final Clock clock;
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();

    ResultPublisher(ResultSubmitter submitter, SqliteStore store, ProgressTracker progress, boolean dryRun, Clock clock) {
        this.submitter = Objects.requireNonNull(submitter, "submitter");
        this.store = Objects.requireNonNull(store, "store");
        this.progress = Objects.requireNonNull(progress, "progress");
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

        publish(call.serviceId(), call.callId(), succeeded.result(),
                () -> progress.finished(call.blockNumber(), call.logIndex()));
    }

    /** Resends results that a previous run recorded as pending, or as failed after fewer than {@code maxAttempts}. */
    void resendPending(long serviceId, int maxAttempts) {
        for (SubmissionRecord pending : store.pendingSubmissions(maxAttempts)) {
            log.info("resending the result of job call {} (last state {}, {} attempts)",
                    Long.toUnsignedString(pending.callId()), pending.status(), pending.attempts());
            publish(serviceId, pending.callId(), JobResults.abiTrue(), () -> { });
        }
    }

    /** Waits up to {@code timeout} for submissions in progress; returns whether all ended. */
    boolean awaitSubmissions(Duration timeout) {
        CompletableFuture<?>[] running = inFlight.toArray(CompletableFuture<?>[]::new);
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
     * Sends one result and records the outcome, then runs {@code afterwards}. The whole chain is
     * tracked, so {@link #awaitSubmissions} also waits for the records to be written.
     */
    private void publish(long serviceId, long callId, byte[] result, Runnable afterwards) {
        int previousAttempts = store.findSubmission(callId).map(SubmissionRecord::attempts).orElse(0);
        save(new SubmissionRecord(callId, SubmissionRecord.Status.PENDING, null, previousAttempts, null, clock.instant()));

        CompletableFuture<Void> tracked = submitter.submit(serviceId, callId, result)
                .whenComplete((submission, failure) -> settle(callId, previousAttempts, submission, failure))
                .handle((ignored, failure) -> null)
                .thenRun(afterwards);
        inFlight.add(tracked);
        tracked.whenComplete((ignored, failure) -> inFlight.remove(tracked));
    }

    private void settle(long callId, int previousAttempts, SubmissionResult submission, Throwable failure) {
        if (failure != null) {
            log.error("result submission of job call {} failed unexpectedly", Long.toUnsignedString(callId), failure);
            save(new SubmissionRecord(callId, SubmissionRecord.Status.FAILED, null, previousAttempts + 1,
                    String.valueOf(failure.getMessage()), clock.instant()));
            return;
        }
        save(record(submission, previousAttempts));
    }

    private SubmissionRecord record(SubmissionResult submission, int previousAttempts) {
        int attempts = previousAttempts + submission.attempts();
        SubmissionRecord.Status status = switch (submission.status()) {
            case SUBMITTED -> SubmissionRecord.Status.SUBMITTED;
            case ALREADY_DONE -> SubmissionRecord.Status.ALREADY_DONE;
            case FAILED -> SubmissionRecord.Status.FAILED;
        };
        return new SubmissionRecord(submission.callId(), status, submission.transactionHash(), attempts,
                submission.error(), clock.instant());
    }

    private void save(SubmissionRecord record) {
        try {
            store.saveSubmission(record);
        } catch (RuntimeException e) {
            log.error("could not record the {} submission of job call {}", record.status(),
                    Long.toUnsignedString(record.callId()), e);
        }
    }
}
