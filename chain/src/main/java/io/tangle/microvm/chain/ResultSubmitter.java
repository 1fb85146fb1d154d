package io.tangle.microvm.chain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;

/**
 * Sends results to the Tangle contract in transactions signed with the operator's key; several
 * may be in flight at once.
 *
 * <p>At most {@link SubmitterConfig#maxInFlight()} transactions are sent or awaited at a time.
 * Results that arrive while all of them are busy wait in a queue per service, and the next free
 * sender takes up to {@link SubmitterConfig#maxBatchSize()} of them into one
 * {@code submitResults(serviceId, callIds, results)} transaction. A result that finds a sender
 * free goes out alone in {@code submitResult(serviceId, callId, result)}, so a quiet operator
 * sends each call's result as soon as the call is done, and a backlog costs one transaction per
 * batch instead of one per call. See {@link ResultBatch} for how a batch that the contract rejects
 * is split.
 *
 * <p>Every submission ends in a {@link SubmissionResult} instead of an exception:
 * <ul>
 *   <li>{@code SUBMITTED} when the transaction was mined successfully;</li>
 *   <li>{@code ALREADY_DONE} when the contract reverts (in the gas estimate or on chain) with
 *       {@code JobAlreadyCompleted} or {@code ResultAlreadySubmitted}: another operator answered first;</li>
 *   <li>{@code FAILED} after {@link SubmitterConfig#maxAttempts()} failed attempts, with exponential
 *       backoff between them.</li>
 * </ul>
 *
 * <p>Nonces come from a {@link NonceAllocator}. All submitters of one account in a process must
 * share one allocator.
 */
public final class ResultSubmitter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ResultSubmitter.class);

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /** Runs each task on a new virtual thread and never rejects one, also after {@link #close()}. */
    private static final Executor CALLBACKS = task -> Thread.ofVirtual().name("result-callback").start(task);

    /** Dependencies of each {@link ResultSubmission}. {@code chainId} reads {@code eth_chainId} once and caches it. */
    final class Context {

        TransactionSupport support() {
            return support;
        }

        Credentials credentials() {
            return credentials;
        }

        String from() {
            return from;
        }

        String contractAddress() {
            return contractAddress;
        }

        NonceAllocator nonces() {
            return nonces;
        }

        SubmitterConfig config() {
            return config;
        }

        long chainId() throws RpcException, InterruptedException {
            Long known = chainId;
            if (known == null) {
                known = support.chainId();
                chainId = known;
            }
            return known;
        }
    }

    private final TransactionSupport support;
    private final Credentials credentials;
    private final String from;
    private final String contractAddress;
    private final NonceAllocator nonces;
    private final SubmitterConfig config;
    private final ExecutorService executor;
    private final Context context = new Context();
    private volatile Long chainId;
    /** Results waiting for a sender, by service id. */
    private final ConcurrentMap<Long, ConcurrentLinkedQueue<ResultBatch.Member>> queues = new ConcurrentHashMap<>();
    /** One permit per transaction that may be in flight. */
    private final Semaphore senders;

    /**
     * Creates a submitter that runs each submission on a virtual thread of its own.
     *
     * @param nonces the allocator of {@code credentials}' account, shared by every sender of that account
     * @throws IllegalArgumentException if the allocator belongs to another account
     */
    public ResultSubmitter(Web3j web3j, Credentials credentials, String contractAddress, NonceAllocator nonces, SubmitterConfig config) {
        this(web3j, credentials, contractAddress, nonces, config, Executors.newVirtualThreadPerTaskExecutor());
    }

    /** Like the other constructor, but runs submissions on {@code executor}, which {@link #close()} shuts down. */
    public ResultSubmitter(Web3j web3j, Credentials credentials, String contractAddress, NonceAllocator nonces, SubmitterConfig config,
            ExecutorService executor) {
        this.support = new TransactionSupport(Objects.requireNonNull(web3j, "web3j"));
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.from = credentials.getAddress().toLowerCase(Locale.ROOT);
        this.contractAddress = Objects.requireNonNull(contractAddress, "contractAddress");
        this.nonces = Objects.requireNonNull(nonces, "nonces");
        this.config = Objects.requireNonNull(config, "config");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.senders = new Semaphore(config.maxInFlight());
        if (!nonces.address().equalsIgnoreCase(from)) {
            throw new IllegalArgumentException("the nonce allocator is for " + nonces.address() + " but the key is " + from);
        }
    }

    /** Returns the operator address that signs the results. */
    public String operatorAddress() {
        return from;
    }

    /**
     * Submits a result asynchronously. The future always completes normally, with status
     * {@code FAILED} when every attempt failed or the submitter is closed, and its dependent
     * actions run on a virtual thread of their own.
     *
     * @throws IllegalArgumentException if an id is negative
     */
    public CompletableFuture<SubmissionResult> submit(long serviceId, long callId, byte[] result) {
        return submit(serviceId, callId, result, null);
    }

    /**
     * Like {@link #submit(long, long, byte[])}, but sends nothing once {@code block} is no longer
     * on the chain: the submission then ends with status {@code ORPHANED}.
     *
     * @param block the block that announced the call, or null to skip the check
     */
    public CompletableFuture<SubmissionResult> submit(long serviceId, long callId, byte[] result, CallBlock block) {
        if (serviceId < 0 || callId < 0) {
            throw new IllegalArgumentException("service and call ids must not be negative: service " + serviceId
                    + ", call " + callId);
        }
        CompletableFuture<SubmissionResult> future = new CompletableFuture<>();
        ResultBatch.Member member = new ResultBatch.Member(serviceId, callId, result.clone(), block, future);
        queues.computeIfAbsent(serviceId, id -> new ConcurrentLinkedQueue<>()).add(member);

        try {
            executor.execute(this::sendQueued);
        } catch (RejectedExecutionException e) {
            log.error("Cannot submit the result of service {} call {}: the submitter is closed", serviceId, callId);
            failQueued("the result submitter is closed");
        }

        // A sender completes the futures of a whole batch, and a caller's dependent actions may
        // block on store writes or pauses before a retry. So they run on a new virtual thread, and
        // the sender moves on.
        return future.thenApplyAsync(Function.identity(), CALLBACKS);
    }

    /**
     * Sends queued results while a sender permit is free. A run that finds no free permit leaves
     * its result queued for the senders that hold the permits: each of them looks at the queues
     * again after it releases its permit, so no result is left behind.
     */
    private void sendQueued() {
        while (hasQueued() && senders.tryAcquire()) {
            try {
                List<ResultBatch.Member> batch = pollBatch();
                if (batch.isEmpty()) {
                    continue;
                }
                if (Thread.currentThread().isInterrupted()) {
                    failAll(batch, "the result submitter is closed");
                    continue;
                }
                new ResultBatch(context, batch.getFirst().serviceId(), batch).run();
            } finally {
                senders.release();
            }
        }
    }

    private boolean hasQueued() {
        return queues.values().stream().anyMatch(queue -> !queue.isEmpty());
    }

    /** Takes up to {@code maxBatchSize} queued results of the first service that has any. */
    private List<ResultBatch.Member> pollBatch() {
        for (ConcurrentLinkedQueue<ResultBatch.Member> queue : queues.values()) {
            List<ResultBatch.Member> batch = new ArrayList<>();
            ResultBatch.Member member;
            while (batch.size() < config.maxBatchSize() && (member = queue.poll()) != null) {
                batch.add(member);
            }
            if (!batch.isEmpty()) {
                return batch;
            }
        }
        return List.of();
    }

    /** Ends every queued result with status {@code FAILED}, when no sender can run any more. */
    private void failQueued(String reason) {
        List<ResultBatch.Member> batch;
        while (!(batch = pollBatch()).isEmpty()) {
            failAll(batch, reason);
        }
    }

    private static void failAll(List<ResultBatch.Member> members, String reason) {
        for (ResultBatch.Member member : members) {
            member.future().complete(new SubmissionResult(member.serviceId(), member.callId(),
                    SubmissionResult.Status.FAILED, null, 0, reason));
        }
    }

    /**
     * Submits a result on the calling thread and returns when it is mined, no longer needed, or failed.
     *
     * @throws IllegalArgumentException if an id is negative
     */
    public SubmissionResult submitAndWait(long serviceId, long callId, byte[] result) {
        return new ResultSubmission(context, serviceId, callId, result.clone(), null).run();
    }

    /**
     * Stops accepting submissions, interrupts those in progress (they end as {@code FAILED}, and a
     * transaction already sent may still be mined), and waits up to 5 s for them.
     */
    @Override
    public void close() {
        executor.shutdownNow();
        failQueued("the result submitter is closed");
        try {
            if (!executor.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Result submissions still running {} ms after close", CLOSE_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
