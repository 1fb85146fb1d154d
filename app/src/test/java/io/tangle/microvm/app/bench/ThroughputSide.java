package io.tangle.microvm.app.bench;

import io.tangle.microvm.app.bench.CallLoader.JobInput;
import io.tangle.microvm.app.bench.CallLoader.LoadedCall;
import io.tangle.microvm.app.operator.Operator;
import io.tangle.microvm.chain.JobArguments;
import io.tangle.microvm.chain.SubmissionResult;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.jobs.JobIndex;
import io.tangle.microvm.store.ServiceKey;
import io.tangle.microvm.store.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One side of the throughput benchmark on a chain of its own: either the operator, which finds
 * the calls on chain by itself, or the {@link BaselineResultClient}, which is handed the calls as
 * soon as they are mined.
 */
final class ThroughputSide implements AutoCloseable {

    private static final Duration WATCH_INTERVAL = Duration.ofMillis(20);

    /**
     * Raises Anvil's block gas limit on both sides to 1,000,000,000, enough for several thousand
     * create_vm calls, so one {@code anvil_mine} mines a whole burst. With the default limit of
     * 30,000,000 a burst of 1,000 spans several blocks. The operator would then start on the first
     * block while the loader still mines the rest, but the baseline gets the calls only after the
     * last block.
     */
    private static final List<String> ANVIL_ARGUMENTS = List.of("--gas-limit", "1000000000");
    private static final Duration SINGLE_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final BenchChain chain;
    private final CallLoader loader;
    private final ResultWatcher watcher;
    private final CpuMeter cpu;
    private final BaselineResultClient baseline;
    private final Operator operator;
    private final List<CompletableFuture<List<SubmissionResult>>> baselineSubmissions = new ArrayList<>();
    private final List<Long> answeredCalls = new ArrayList<>();

    private ThroughputSide(String name, BenchChain chain, BaselineResultClient baseline, Operator operator)
            throws Exception {
        this.name = name;
        this.chain = chain;
        this.baseline = baseline;
        this.operator = operator;
        this.loader = new CallLoader(chain.web3j(), chain.control(), chain.deployment());
        this.cpu = new CpuMeter(chain.anvil().port());
        this.watcher = ResultWatcher.start(chain.web3j(), chain.deployment().contractAddress(),
                chain.deployment().serviceId(), WATCH_INTERVAL);
    }

    /** Starts a fresh chain with the baseline client as the only sender of results. */
    static ThroughputSide baseline() throws Exception {
        BenchChain chain = BenchChain.start("bench-baseline", ANVIL_ARGUMENTS);
        try {
            return new ThroughputSide("baseline", chain, new BaselineResultClient(chain.deployment()), null);
        } catch (Exception | Error e) {
            chain.close();
            throw e;
        }
    }

    /** Starts a fresh chain and an operator with its state under {@code dir}, and waits until it is ready. */
    static ThroughputSide operator(Path dir) throws Exception {
        BenchChain chain = BenchChain.start("bench-operator", ANVIL_ARGUMENTS);
        Operator operator = null;
        try {
            operator = BenchOperators.start(chain.deployment(), dir, Map.of());
            BenchOperators.awaitReady(operator, Duration.ofSeconds(30));
            return new ThroughputSide("operator", chain, null, operator);
        } catch (Exception | Error e) {
            if (operator != null) {
                operator.close();
            }
            chain.close();
            throw e;
        }
    }

    String name() {
        return name;
    }

    /** Loads {@code count} create_vm calls of new VMs as one burst and waits for all their results. */
    BurstFigures burst(String vmPrefix, int count, Duration timeout) throws Exception {
        List<JobInput> inputs = createCalls(vmPrefix, count);
        CpuMeter.Sample before = cpu.sample();
        List<LoadedCall> calls = loader.load(inputs, count);
        PoolSampler.Peaks pool;
        try (PoolSampler sampler = PoolSampler.start(chain.deployment().rpcUrl())) {
            respond(calls);
            awaitResults(calls, timeout);
            pool = sampler.stop();
        }
        calls.forEach(call -> answeredCalls.add(call.callId()));
        return BurstFigures.of(calls, watcher, cpu.sample().since(before), pool);
    }

    /** Sends {@code count} create_vm calls one at a time, each after the previous one's result, and returns their latency. */
    LatencySummary oneAtATime(String vmPrefix, int count) throws Exception {
        long[] latencies = new long[count];
        for (int i = 0; i < count; i++) {
            List<LoadedCall> calls = loader.load(createCalls(vmPrefix + i + "-", 1), 1);
            respond(calls);
            awaitResults(calls, SINGLE_TIMEOUT);
            LoadedCall call = calls.get(0);
            answeredCalls.add(call.callId());
            latencies[i] = watcher.observedAt(call.callId()) - call.minedAtNanos();
        }
        return LatencySummary.ofNanos(latencies);
    }

    /** Checks that every baseline submission ended as mined, since a failed one would still count as sent. */
    void requireBaselineSubmitted() {
        for (CompletableFuture<List<SubmissionResult>> batch : baselineSubmissions) {
            for (SubmissionResult result : batch.join()) {
                if (result.status() != SubmissionResult.Status.SUBMITTED) {
                    throw new IllegalStateException("baseline submission of call " + result.callId() + " ended "
                            + result.status() + ": " + result.error());
                }
            }
        }
    }

    /**
     * Stops the operator and returns how many calls with a result on chain have no outcome in its
     * store under {@code dir}, because the operator failed to record it.
     */
    long stopOperatorAndCountMissingOutcomes(Path dir) {
        operator.close();
        LocalDeployment deployment = chain.deployment();
        ServiceKey key = new ServiceKey(deployment.chainId(), deployment.contractAddress(), deployment.serviceId());
        try (SqliteStore store = SqliteStore.open(dir.resolve("data"), key)) {
            return answeredCalls.stream().filter(id -> store.find(id).isEmpty()).count();
        }
    }

    int answeredCount() {
        return answeredCalls.size();
    }

    @Override
    public void close() {
        watcher.close();
        if (baseline != null) {
            baseline.close();
        }
        if (operator != null) {
            operator.close();
        }
        chain.close();
    }

    private void respond(List<LoadedCall> calls) {
        if (baseline != null) {
            baselineSubmissions.add(baseline.submitAll(calls));
        }
    }

    private void awaitResults(List<LoadedCall> calls, Duration timeout) throws Exception {
        List<Long> ids = calls.stream().map(LoadedCall::callId).toList();
        if (!watcher.awaitAll(ids, timeout)) {
            long missing = ids.stream().filter(id -> watcher.observedAt(id) == null).count();
            throw new IllegalStateException(name + ": " + missing + " of " + ids.size()
                    + " calls had no result on chain after " + timeout.toSeconds() + " s; "
                    + PoolDiagnostics.describe(chain.deployment().rpcUrl(), chain.deployment().operator().getAddress())
                    + "; see the log on standard error");
        }
    }

    private static List<JobInput> createCalls(String vmPrefix, int count) {
        List<JobInput> calls = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            calls.add(new JobInput(JobIndex.CREATE_VM, JobArguments.encode(vmPrefix + i)));
        }
        return calls;
    }
}
