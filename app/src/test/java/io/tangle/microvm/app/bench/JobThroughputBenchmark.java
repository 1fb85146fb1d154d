package io.tangle.microvm.app.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Job throughput and latency of the operator on Anvil with the in-memory provider, next to a
 * baseline measured in the same run: {@link BaselineResultClient}, which only sends the results.
 *
 * <p>Each side has a fresh chain of its own, and both run for the whole benchmark. After a warm-up
 * burst on each (not reported), the sides take turns with bursts of {@code bench.calls} create_vm
 * calls of distinct VMs, so that a neighbour's load on the shared machine hits both sides alike.
 * {@link CallLoader} sends each burst with automatic mining off and mines it as one block (Anvil
 * runs with a raised block gas limit, see {@link ThroughputSide}). Then each side gets calls one at
 * a time for the latency of an idle system.
 *
 * <p>Start of a call: the wall clock when its block was mined. End: the wall clock when
 * {@link ResultWatcher} first saw its {@code JobResultSubmitted} event. Throughput is a burst's
 * call count over the time from its first mined job block to its last result seen.
 */
public final class JobThroughputBenchmark {

    private static final int CALLS = Integer.getInteger("bench.calls", 1000);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int WARMUP_CALLS = 100;
    private static final int SEQUENTIAL_CALLS = Integer.getInteger("bench.sequentialCalls", 30);
    private static final Duration BURST_TIMEOUT = Duration.ofSeconds(Long.getLong("bench.timeoutSeconds", 120));
    private static final double TARGET_RATIO = 0.8;

    private JobThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchReport report = BenchReport.start("JobThroughputBenchmark");
        report.line("workload", "%d rounds; each round one burst of %d create_vm calls of distinct VMs per side,"
                + " baseline first; %d warm-up calls per side before, %d calls one at a time per side after",
                ROUNDS, CALLS, WARMUP_CALLS, SEQUENTIAL_CALLS);
        report.line("timing", "wall clock; start = anvil_mine of the call's block returned, end = result event seen"
                + " by an eth_getLogs poll every 20 ms");
        report.line("operator settings", "in-memory provider, poll interval 100 ms, default result submitter"
                + " (receipt poll 500 ms)");

        List<BurstFigures> baselineBursts = new ArrayList<>();
        List<BurstFigures> operatorBursts = new ArrayList<>();
        LatencySummary baselineSingle;
        LatencySummary operatorSingle;
        try (WorkDirectory work = WorkDirectory.create("bench-throughput-");
                ThroughputSide baseline = ThroughputSide.baseline();
                ThroughputSide operator = ThroughputSide.operator(work.path())) {
            baseline.burst("warm-", WARMUP_CALLS, BURST_TIMEOUT);
            operator.burst("warm-", WARMUP_CALLS, BURST_TIMEOUT);

            for (int round = 1; round <= ROUNDS; round++) {
                BurstFigures baselineRound = baseline.burst("round" + round + "-", CALLS, BURST_TIMEOUT);
                report.line("round " + round + " baseline", baselineRound.toString());
                baselineBursts.add(baselineRound);

                BurstFigures operatorRound = operator.burst("round" + round + "-", CALLS, BURST_TIMEOUT);
                report.line("round " + round + " operator", operatorRound.toString());
                operatorBursts.add(operatorRound);
            }

            baselineSingle = baseline.oneAtATime("single-", SEQUENTIAL_CALLS);
            operatorSingle = operator.oneAtATime("single-", SEQUENTIAL_CALLS);
            baseline.requireBaselineSubmitted();
            long missing = operator.stopOperatorAndCountMissingOutcomes(work.path());
            report.line("operator results on chain without a stored outcome", "%d of %d", missing,
                    operator.answeredCount());
        }

        double baselineRate = medianRate(baselineBursts);
        double operatorRate = medianRate(operatorBursts);
        report.line("baseline median throughput", "%.1f calls/s (rounds: %s)", baselineRate, rates(baselineBursts));
        report.line("operator median throughput", "%.1f calls/s (rounds: %s)", operatorRate, rates(operatorBursts));
        report.line("baseline burst latency, all rounds", pooledLatency(baselineBursts));
        report.line("operator burst latency, all rounds", pooledLatency(operatorBursts));
        report.line("baseline latency one at a time", baselineSingle.toString());
        report.line("operator latency one at a time", operatorSingle.toString());

        double ratio = operatorRate / baselineRate;
        report.line("throughput ratio operator/baseline (medians)", "%.2f (target >= %.2f: %s)", ratio, TARGET_RATIO,
                ratio >= TARGET_RATIO ? "met" : "MISSED");
        report.finish();
    }

    private static double medianRate(List<BurstFigures> bursts) {
        return LatencySummary.median(bursts.stream().mapToDouble(BurstFigures::callsPerSecond).toArray());
    }

    private static String rates(List<BurstFigures> bursts) {
        return String.join(", ", bursts.stream()
                .map(burst -> String.format(Locale.ROOT, "%.1f", burst.callsPerSecond()))
                .toList());
    }

    /** Returns percentiles over the latencies of every round together. */
    private static String pooledLatency(List<BurstFigures> bursts) {
        return LatencySummary.pool(bursts.stream().map(BurstFigures::latencyNanos).toList()).toString();
    }
}
