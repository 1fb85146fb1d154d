package io.tangle.microvm.chain;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;

/**
 * Sends {@code submitResult(serviceId, callId, result)} transactions to the Tangle contract, signed
 * with the operator's key; several may be in flight at once.
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
     * {@code FAILED} when every attempt failed or the submitter is closed.
     *
     * @throws IllegalArgumentException if an id is negative
     */
    public CompletableFuture<SubmissionResult> submit(long serviceId, long callId, byte[] result) {
        ResultSubmission submission = new ResultSubmission(context, serviceId, callId, result.clone());
        try {
            return CompletableFuture.supplyAsync(submission::run, executor);
        } catch (RejectedExecutionException e) {
            log.error("Cannot submit the result of service {} call {}: the submitter is closed", serviceId, callId);
            return CompletableFuture.completedFuture(new SubmissionResult(serviceId, callId, SubmissionResult.Status.FAILED,
                    null, 0, "the result submitter is closed"));
        }
    }

    /**
     * Submits a result on the calling thread and returns when it is mined, no longer needed, or failed.
     *
     * @throws IllegalArgumentException if an id is negative
     */
    public SubmissionResult submitAndWait(long serviceId, long callId, byte[] result) {
        return new ResultSubmission(context, serviceId, callId, result.clone()).run();
    }

    /**
     * Stops accepting submissions, interrupts those in progress (they end as {@code FAILED}, and a
     * transaction already sent may still be mined), and waits up to 5 s for them.
     */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Result submissions still running {} ms after close", CLOSE_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
