package io.tangle.microvm.app.bench;

import io.tangle.microvm.app.bench.CallLoader.JobInput;
import io.tangle.microvm.app.bench.CallLoader.LoadedCall;
import io.tangle.microvm.app.operator.Operator;
import io.tangle.microvm.chain.JobArguments;
import io.tangle.microvm.chain.SubmitterConfig;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.jobs.JobIndex;
import io.tangle.microvm.store.ServiceKey;
import io.tangle.microvm.store.SqliteStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Catch-up: {@code bench.calls} create_vm calls (10,000 by default) of distinct VMs are on chain
 * before the operator starts. Measures the time from {@link Operator#start} until the last
 * {@code JobResultSubmitted} event shows on chain, printing progress every 10 s, then checks in the
 * store that every call with a result on chain also has a stored outcome.
 *
 * <p>The baseline runs first, on a chain of its own with the same calls: {@link BaselineResultClient}
 * sends every call's result with the operator's default submitter settings (batches of up to 50
 * results, 8 transactions in flight), with no polling, jobs or store. Its time is from its first
 * submission to the last result on chain.
 *
 * <p>The calls are loaded by {@link CallLoader} in batches of 1,000 with automatic mining off, so
 * blocks are packed up to Anvil's gas limit of 30,000,000 (about 170 calls a block).
 */
public final class CatchUpBenchmark {

    private static final int CALLS = Integer.getInteger("bench.calls", 10_000);
    private static final int LOAD_BATCH = 1000;
    private static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("bench.timeoutSeconds", 180));
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(10);

    private CatchUpBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchReport report = BenchReport.start("CatchUpBenchmark");
        report.line("workload", "%d create_vm calls of distinct VMs on chain before the operator starts", CALLS);
        report.line("operator settings", "in-memory provider, poll interval 100 ms, max block range 1000,"
                + " default result submitter");

        try (BenchChain chain = BenchChain.start("bench-catchup-baseline")) {
            List<LoadedCall> calls = load(report, chain);
            baseline(report, chain, calls);
        }
        try (WorkDirectory work = WorkDirectory.create("bench-catchup-");
                BenchChain chain = BenchChain.start("bench-catchup")) {
            List<Long> ids = load(report, chain).stream().map(LoadedCall::callId).toList();
            List<Long> answered = catchUp(report, chain, work, ids);
            checkStore(report, chain.deployment(), work, answered);
        }
        report.finish();
    }

    private static List<LoadedCall> load(BenchReport report, BenchChain chain) throws Exception {
        CallLoader loader = new CallLoader(chain.web3j(), chain.control(), chain.deployment());
        long start = System.nanoTime();
        List<LoadedCall> calls = loader.load(createCalls(CALLS), LOAD_BATCH);
        long blocks = calls.get(calls.size() - 1).blockNumber() - calls.get(0).blockNumber() + 1;
        report.line("setup", "%d calls loaded into %d blocks in %.1f s", calls.size(), blocks,
                (System.nanoTime() - start) / 1e9);
        return calls;
    }

    /** Sends every call's result with the baseline client and reports the time until the last one is on chain. */
    private static void baseline(BenchReport report, BenchChain chain, List<LoadedCall> calls) throws Exception {
        LocalDeployment deployment = chain.deployment();
        List<Long> ids = calls.stream().map(LoadedCall::callId).toList();
        CpuMeter cpu = new CpuMeter(chain.anvil().port());
        try (ResultWatcher watcher = ResultWatcher.start(chain.web3j(), deployment.contractAddress(),
                deployment.serviceId(), Duration.ofMillis(50));
                BaselineResultClient client = new BaselineResultClient(deployment, SubmitterConfig.defaults())) {
            CpuMeter.Sample cpuBefore = cpu.sample();
            long start = System.nanoTime();
            client.submitAll(calls);
            boolean complete = awaitWithProgress(report, "baseline progress", watcher, ids, start);
            CpuMeter.Sample used = cpu.sample().since(cpuBefore);

            if (!complete) {
                report.line("baseline result", "INCOMPLETE: %d of %d calls had a result on chain after %d s",
                        watcher.count(), CALLS, TIMEOUT.toSeconds());
                return;
            }
            double seconds = (ids.stream().mapToLong(watcher::observedAt).max().orElseThrow() - start) / 1e9;
            report.line("baseline: all results on chain", "%.1f s after the first submission = %.1f calls/s",
                    seconds, CALLS / seconds);
            report.line("baseline: CPU per call", "this JVM %.2f ms, Anvil %.2f ms",
                    used.jvmNanos() / 1e6 / CALLS, used.anvilNanos() / 1e6 / CALLS);
        }
    }

    /** Starts the operator, waits for the results, stops the operator, and returns the calls with a result on chain. */
    private static List<Long> catchUp(BenchReport report, BenchChain chain, WorkDirectory work, List<Long> ids)
            throws Exception {
        LocalDeployment deployment = chain.deployment();
        CpuMeter cpu = new CpuMeter(chain.anvil().port());
        try (ResultWatcher watcher = ResultWatcher.start(chain.web3j(), deployment.contractAddress(),
                deployment.serviceId(), Duration.ofMillis(50))) {
            CpuMeter.Sample cpuBefore = cpu.sample();
            long start = System.nanoTime();
            Operator operator = BenchOperators.start(deployment, work.path(), Map.of());
            double startSeconds = (System.nanoTime() - start) / 1e9;
            boolean complete;
            try {
                complete = awaitWithProgress(report, "progress", watcher, ids, start);
            } finally {
                operator.close();
            }
            CpuMeter.Sample used = cpu.sample().since(cpuBefore);

            report.line("operator start (Operator.start returned)", "%.2f s", startSeconds);
            List<Long> answered = ids.stream().filter(id -> watcher.observedAt(id) != null).toList();
            if (!answered.isEmpty()) {
                long first = answered.stream().mapToLong(watcher::observedAt).min().orElseThrow();
                report.line("first result on chain", "%.2f s after start", (first - start) / 1e9);
            }
            if (complete) {
                double seconds = (answered.stream().mapToLong(watcher::observedAt).max().orElseThrow() - start) / 1e9;
                report.line("all results on chain", "%.1f s after start = %.1f calls/s", seconds, CALLS / seconds);
                report.line("CPU per call (start to stop)", "this JVM %.2f ms, Anvil %.2f ms",
                        used.jvmNanos() / 1e6 / CALLS, used.anvilNanos() / 1e6 / CALLS);
            } else {
                // Results can still land while the stopping operator drains, after the timeout.
                report.line("results on chain by the end of the stop", "%d", answered.size());
                report.line("CPU from start to stop", "this JVM %.1f s, Anvil %.1f s", used.jvmNanos() / 1e9,
                        used.anvilNanos() / 1e9);
            }
            if (!complete) {
                report.line("result", "INCOMPLETE: %d of %d calls had a result on chain after %d s; %s",
                        answered.size(), CALLS, TIMEOUT.toSeconds(),
                        PoolDiagnostics.describe(deployment.rpcUrl(), deployment.operator().getAddress()));
            }
            return answered;
        }
    }

    /**
     * Waits for every call's result, printing how many have one every {@link #PROGRESS_INTERVAL},
     * and returns false when {@link #TIMEOUT} passes first.
     */
    private static boolean awaitWithProgress(BenchReport report, String label, ResultWatcher watcher, List<Long> ids,
            long start)
            throws InterruptedException {
        long deadline = start + TIMEOUT.toNanos();
        long nextProgress = start + PROGRESS_INTERVAL.toNanos();
        while (!watcher.awaitAll(ids, Duration.ofMillis(500))) {
            long now = System.nanoTime();
            if (now >= nextProgress) {
                report.line(label, "%d results on chain %.0f s after start", watcher.count(), (now - start) / 1e9);
                nextProgress += PROGRESS_INTERVAL.toNanos();
            }
            if (now >= deadline) {
                return false;
            }
        }
        return true;
    }

    /** Reports the stored outcomes, and how many calls with a result on chain have none because the operator failed to record it. */
    private static void checkStore(BenchReport report, LocalDeployment deployment, WorkDirectory work,
            List<Long> answered) {
        ServiceKey key = new ServiceKey(deployment.chainId(), deployment.contractAddress(), deployment.serviceId());
        try (SqliteStore store = SqliteStore.open(work.resolve("data"), key)) {
            long missing = answered.stream().filter(id -> store.find(id).isEmpty()).count();
            int pending = store.pendingSubmissions().size();
            report.line("store after stop", "%d outcomes, %d VMs, %d submissions pending or failed",
                    store.outcomeCount(), store.listVms().size(), pending);
            report.line("results on chain without a stored outcome", "%d of %d", missing, answered.size());
        }
    }

    private static List<JobInput> createCalls(int count) {
        List<JobInput> calls = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            calls.add(new JobInput(JobIndex.CREATE_VM, JobArguments.encode("vm-" + i)));
        }
        return calls;
    }
}
