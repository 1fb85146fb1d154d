package io.tangle.microvm.app.operator;

import io.tangle.microvm.app.config.ConfigException;
import io.tangle.microvm.app.config.OperatorConfig;
import io.tangle.microvm.chain.ContractRevertException;
import io.tangle.microvm.chain.JobEventPoller;
import io.tangle.microvm.chain.JobSubmittedEvent;
import io.tangle.microvm.chain.KeystoreException;
import io.tangle.microvm.chain.NonceAllocator;
import io.tangle.microvm.chain.OperatorKeystore;
import io.tangle.microvm.chain.PollCursor;
import io.tangle.microvm.chain.PollerConfig;
import io.tangle.microvm.chain.ResultSubmitter;
import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.SubmitterConfig;
import io.tangle.microvm.chain.TangleError;
import io.tangle.microvm.chain.TangleFunctions;
import io.tangle.microvm.chain.TangleQueries;
import io.tangle.microvm.chain.TransactionRunner;
import io.tangle.microvm.jobs.JobCall;
import io.tangle.microvm.jobs.JobDispatcher;
import io.tangle.microvm.jobs.JobRunner;
import io.tangle.microvm.jobs.OwnerCheck;
import io.tangle.microvm.jobs.StoreJobJournal;
import io.tangle.microvm.query.QueryServer;
import io.tangle.microvm.query.QuerySources;
import io.tangle.microvm.store.ChainCursor;
import io.tangle.microvm.store.ServiceKey;
import io.tangle.microvm.store.SqliteStore;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * The running operator: chain poller, job dispatcher, result publisher, provider, store and query
 * API, started in dependency order and stopped in reverse.
 *
 * <p>Stop contract: {@link #close()} stops taking new calls, lets calls in flight finish within
 * {@link #DRAIN_TIMEOUT}, waits for their result transactions within the same bound, and then
 * releases everything. A kill at any point loses nothing: the stored cursor never passes an
 * unfinished call.
 */
public final class Operator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Operator.class);

    /** How long a stop waits for calls in flight, and again for their result transactions. */
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);

    /** Recorded attempts after which a call's result is no longer sent, while running or at the next start. */
    private static final int MAX_RESEND_ATTEMPTS = 20;

    /**
     * VMs whose jobs run at the same time. Jobs of further VMs wait for a turn, so a catch-up over
     * thousands of calls does not queue thousands of store writes at once. A slow job takes one turn.
     */
    private static final int MAX_LANES_RUNNING = 64;

    /**
     * Result transactions being prepared, sent or awaited at once when each carries one result.
     * With batching on, {@link SubmitterConfig#DEFAULT_MAX_IN_FLIGHT} applies instead: fewer senders
     * leave more results waiting, and those go out together in larger batches.
     */
    private static final int MAX_SINGLE_SUBMISSIONS_IN_FLIGHT = 64;

    private final OperatorConfig config;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Web3j web3j;
    private SqliteStore store;
    private ProviderHandle provider;
    private ResultSubmitter submitter;
    private ResultPublisher publisher;
    private JobDispatcher dispatcher;
    private JobEventPoller poller;
    private QueryServer query;
    private ProgressTracker progress;
    private volatile boolean closing;
    private volatile boolean endGuests;

    private Operator(OperatorConfig config) {
        this.config = config;
    }

    /**
     * Starts an operator. Waits for the RPC endpoint with backoff until it responds or the
     * operator is closed from another thread.
     *
     * @throws ConfigException for a setting that cannot work, such as a missing key
     */
    public static Operator start(OperatorConfig config) throws InterruptedException {
        Operator operator = new Operator(config);
        try {
            operator.startComponents();
            return operator;
        } catch (RuntimeException | InterruptedException e) {
            operator.close();
            throw e;
        }
    }

    /** Returns the bound port of the query API. */
    public int queryPort() {
        return query.port();
    }

    /** Blocks until {@link #close()} ran. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    private void startComponents() throws InterruptedException {
        Credentials credentials = loadKey();
        String operatorAddress = credentials.getAddress().toLowerCase(Locale.ROOT);
        log.info("starting operator {} for service {} of blueprint {} on contract {} (provider {})", operatorAddress,
                Long.toUnsignedString(config.serviceId()), Long.toUnsignedString(config.blueprintId()),
                config.tangleContract(), config.provider().configName());

        // The query API responds from here on, so a supervisor can probe the process during the
        // waits below. Its data routes respond with 503 until the service's state is open.
        LateQueryBackends queryBackends = new LateQueryBackends();
        query = new QueryServer(config.queryAddress().getHostString(), config.queryAddress().getPort(),
                queryBackends.vms(), queryBackends.outcomes(), queryBackends.sources());
        try {
            query.start();
        } catch (UncheckedIOException e) {
            throw new IllegalStateException(e.getMessage() + "; stop what uses that address, or set another one with"
                    + " MICROVM_QUERY_ADDR or --http-address", e);
        }

        queryBackends.phase("waiting for the RPC endpoint " + config.httpRpcUrl());
        web3j = Web3j.build(new HttpService(config.httpRpcUrl().toString()));
        long chainId = awaitChain();

        queryBackends.phase("opening the service's state and starting the provider");
        ServiceKey serviceKey = new ServiceKey(chainId, config.tangleContract(), config.serviceId());
        store = SqliteStore.open(config.dataDir(), serviceKey);
        provider = ProviderFactory.start(config.provider(), config.environment(), store.databaseFile().getParent(), store);

        queryBackends.phase("checking the operator's registration");
        ensureRegistered(credentials, operatorAddress);
        PollerConfig pollerConfig = pollerConfig(operatorAddress);
        progress = new ProgressTracker(store, pollerConfig.start());

        int inFlight = config.resultBatchSize() == 1 ? MAX_SINGLE_SUBMISSIONS_IN_FLIGHT : SubmitterConfig.DEFAULT_MAX_IN_FLIGHT;
        submitter = new ResultSubmitter(web3j, credentials, config.tangleContract(),
                new NonceAllocator(web3j, credentials.getAddress()),
                SubmitterConfig.defaults().withBatching(config.resultBatchSize(), inFlight));
        publisher = new ResultPublisher(submitter, store, progress,
                new OwnResultLookup(web3j, config.tangleContract(), operatorAddress, config.maxBlockRange()),
                new CompletionCheck(new TangleQueries(web3j, config.tangleContract())), MAX_RESEND_ATTEMPTS,
                config.dryRun(), Clock.systemUTC());

        // Every call is applied, even one the contract reports completed, because each operator of a
        // service keeps its own copy of every VM. One that skipped a call completed by another operator
        // would apply later calls to a state the chain never produced. The submitter records such a
        // call's result as already done.
        JobRunner runner = new JobRunner(provider.runtime(),
                new StoreJobJournal(store, provider.runtime(), provider.runtime().name(), provider.snapshots()),
                config.ownerCheck(), Clock.systemUTC());
        dispatcher = new JobDispatcher(runner, publisher, new PermitExecutor("job-lane", MAX_LANES_RUNNING));

        poller = new JobEventPoller(web3j, pollerConfig, this::deliver, new CursorListener(progress, store),
                Thread.ofPlatform().name("chain-poller").factory());
        queryBackends.attach(new OwnedVmQuery(provider.runtime(), store), store,
                new QuerySources(this::readiness, provider.consoles(), store::findSubmission));

        if (!config.dryRun()) {
            publisher.resendPending(config.serviceId());
        }
        poller.start();
        log.info("operator {} started: scanning from block {}, query API on {}:{}, results in batches of up to {}",
                operatorAddress, pollerConfig.start().nextBlock(), config.queryAddress().getHostString(), query.port(),
                config.resultBatchSize());
    }

    private Credentials loadKey() {
        try {
            return OperatorKeystore.load(config.keystore());
        } catch (KeystoreException e) {
            throw new ConfigException("cannot load the operator key from KEYSTORE_URI " + config.keystore() + ": "
                    + e.getMessage());
        }
    }

    /** Returns the chain id once the RPC endpoint responds. Retries with backoff and escalates the log level. */
    private long awaitChain() throws InterruptedException {
        int failures = 0;
        while (!closing) {
            try {
                return Rpc.send(web3j.ethChainId()).getChainId().longValueExact();
            } catch (RpcException e) {
                failures++;
                Duration delay = Duration.ofMillis(Math.min(5000, 250L * failures));
                if (failures <= 5) {
                    log.warn("RPC endpoint {} not reachable (attempt {}): {}; retrying in {} ms", config.httpRpcUrl(),
                            failures, e.getMessage(), delay.toMillis());
                } else {
                    log.error("RPC endpoint {} still not reachable after {} attempts: {}; retrying in {} ms",
                            config.httpRpcUrl(), failures, e.getMessage(), delay.toMillis());
                }
                Thread.sleep(delay);
            }
        }
        throw new InterruptedException("operator closed while waiting for the RPC endpoint");
    }

    /**
     * Registers the operator for the blueprint when it is not registered yet, and goes on running.
     * The Rust blueprint exits with status 0 after registering, so a supervisor cannot tell it from a clean stop.
     */
    private void ensureRegistered(Credentials credentials, String operatorAddress) throws InterruptedException {
        try {
            TangleQueries queries = new TangleQueries(web3j, config.tangleContract());
            if (queries.isOperatorRegistered(config.blueprintId(), operatorAddress)) {
                return;
            }
            if (config.dryRun()) {
                log.warn("operator {} is not registered for blueprint {}; dry run, so not registering",
                        operatorAddress, Long.toUnsignedString(config.blueprintId()));
                return;
            }

            log.info("operator {} is not registered for blueprint {}; registering", operatorAddress,
                    Long.toUnsignedString(config.blueprintId()));
            new TransactionRunner(web3j, credentials, Duration.ofSeconds(60)).call(config.tangleContract(),
                    TangleFunctions.registerOperator(config.blueprintId(),
                            OperatorKeystore.uncompressedPublicKey(credentials.getEcKeyPair()), ""));
            log.info("operator {} registered for blueprint {}", operatorAddress, Long.toUnsignedString(config.blueprintId()));
        } catch (ContractRevertException e) {
            throw registrationRejected(operatorAddress, e);
        } catch (RpcException e) {
            throw new IllegalStateException("could not check or register operator " + operatorAddress
                    + " for blueprint " + Long.toUnsignedString(config.blueprintId()) + ": " + e.getMessage(), e);
        }
    }

    /** Turns a rejected registration into an error that names the setting or step to check. */
    private RuntimeException registrationRejected(String operatorAddress, ContractRevertException e) {
        String blueprint = Long.toUnsignedString(config.blueprintId());
        String message = "the contract rejected the registration of operator " + operatorAddress + " for blueprint "
                + blueprint + ": " + e.getMessage();
        Optional<TangleError> error = e.tangleError();
        if (error.isPresent() && (error.get() == TangleError.BLUEPRINT_NOT_FOUND
                || error.get() == TangleError.BLUEPRINT_NOT_ACTIVE)) {
            return new ConfigException(message + "; check BLUEPRINT_ID");
        }
        return new IllegalStateException(message + "; register the operator with the Tangle CLI, then start again", e);
    }

    /** Resumes from the stored cursor, else starts at --start-block, else at the service's activation. */
    private PollerConfig pollerConfig(String operatorAddress) throws InterruptedException {
        PollerConfig base = PollerConfig.startingAt(config.tangleContract(), config.serviceId(), operatorAddress, 0)
                .withPollInterval(config.pollInterval())
                .withMaxBlockRange((int) config.maxBlockRange())
                .withConfirmations((int) config.confirmations());

        Optional<ChainCursor> stored = store.cursor();
        if (stored.isPresent()) {
            ChainCursor cursor = stored.get();
            log.info("resuming from stored cursor: block {} {}", cursor.blockNumber(),
                    cursor.logIndex() == PollCursor.WHOLE_BLOCK ? "(all of it processed)" : "log " + cursor.logIndex());
            return base.withStart(new PollCursor(cursor.blockNumber(), cursor.logIndex()), cursor.blockHash());
        }

        long first;
        if (config.startBlock().isPresent()) {
            first = config.startBlock().get();
        } else {
            try {
                first = ServiceActivation.findBlock(web3j, config.tangleContract(), config.serviceId(),
                        config.maxBlockRange()).orElseThrow(() -> new ConfigException("service "
                                + Long.toUnsignedString(config.serviceId()) + " has no ServiceActivated event on "
                                + config.tangleContract() + "; check SERVICE_ID and TANGLE_CONTRACT, or set --start-block"));
            } catch (RpcException e) {
                throw new IllegalStateException("could not find the activation block of service "
                        + Long.toUnsignedString(config.serviceId()) + ": " + e.getMessage(), e);
            }
        }
        log.info("first start for this service: scanning from block {}", first);
        return base.withStart(PollCursor.beforeBlock(first), null);
    }

    private void deliver(JobSubmittedEvent event) {
        JobCall call = new JobCall(event.serviceId(), event.callId(), event.jobIndex(),
                event.caller().toLowerCase(Locale.ROOT), event.inputs(), event.blockNumber(), event.logIndex(),
                event.blockHash() == null ? null : event.blockHash().toLowerCase(Locale.ROOT));
        progress.delivered(call.blockNumber(), call.logIndex());
        try {
            dispatcher.submit(call);
        } catch (IllegalStateException e) {
            // Stopping: the call stays after the stored cursor, so the next start delivers it again.
            progress.finished(call.blockNumber(), call.logIndex());
            log.info("job call {} arrived while stopping; the next start runs it", Long.toUnsignedString(call.callId()));
        }
    }

    private QuerySources.Readiness readiness() {
        JobEventPoller.Status status = poller.status();
        if (closing) {
            return new QuerySources.Readiness(false, "stopping");
        }
        if (status.consecutiveFailures() > 0) {
            return new QuerySources.Readiness(false, "RPC endpoint failing: " + status.consecutiveFailures()
                    + " consecutive failures");
        }
        if (!status.caughtUp()) {
            return new QuerySources.Readiness(false, "catching up: at block " + status.cursor().block() + " of "
                    + status.headBlock());
        }
        return new QuerySources.Readiness(true, "caught up at block " + status.headBlock() + "; "
                + progress.inFlightCount() + " calls in flight");
    }

    /**
     * Stops like {@link #close()} and also ends every running guest, for a local chain that goes
     * away with the operator. A plain close leaves guests running for the next start to adopt.
     */
    public void closeAndEndGuests() {
        endGuests = true;
        close();
    }

    @Override
    public void close() {
        if (closing && stopped.getCount() == 0) {
            return;
        }
        closing = true;
        log.info("stopping operator: no new calls, draining calls in flight");

        closeQuietly("chain poller", poller);
        if (dispatcher != null && !dispatcher.close(DRAIN_TIMEOUT)) {
            log.warn("calls still running after {} s; the next start runs what has no outcome", DRAIN_TIMEOUT.toSeconds());
        }
        if (publisher != null) {
            publisher.stopRetries();
            publisher.awaitSubmissions(DRAIN_TIMEOUT);
        }
        closeQuietly("result submitter", submitter);
        closeQuietly("query API", query);
        if (provider != null) {
            if (endGuests) {
                provider.endGuests().run();
            }
            closeQuietly("provider " + provider.runtime().name(), provider.runtime());
        }
        closeQuietly("store", store);
        if (web3j != null) {
            web3j.shutdown();
        }
        log.info("operator stopped");
        stopped.countDown();
    }

    private static void closeQuietly(String name, AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.error("failed to close the {}", name, e);
        }
    }
}
