package io.tangle.microvm.app.bench;

import io.tangle.microvm.app.bench.CallLoader.LoadedCall;
import java.util.List;
import java.util.Locale;

/**
 * Figures of a burst of calls, once every call has its result on chain.
 *
 * @param loadMs the time between mining the first and the last block of the calls
 * @param seconds the time from mining the first call's block to seeing the last result
 * @param latencyNanos per call, from mining its block to seeing its result
 * @param cpu the CPU time that this JVM and the chain's Anvil used from loading the calls to the last result
 * @param pool the transaction pool's peaks from the mined job blocks to the last result
 */
record BurstFigures(int calls, double loadMs, double seconds, long[] latencyNanos, CpuMeter.Sample cpu,
        PoolSampler.Peaks pool) {

    /** Computes the figures once {@code watcher} has seen a result for every call. */
    static BurstFigures of(List<LoadedCall> calls, ResultWatcher watcher, CpuMeter.Sample cpu, PoolSampler.Peaks pool) {
        long firstMined = Long.MAX_VALUE;
        long lastMined = Long.MIN_VALUE;
        long lastObserved = Long.MIN_VALUE;
        long[] latencies = new long[calls.size()];
        for (int i = 0; i < calls.size(); i++) {
            LoadedCall call = calls.get(i);
            long observed = watcher.observedAt(call.callId());
            firstMined = Math.min(firstMined, call.minedAtNanos());
            lastMined = Math.max(lastMined, call.minedAtNanos());
            lastObserved = Math.max(lastObserved, observed);
            latencies[i] = observed - call.minedAtNanos();
        }
        return new BurstFigures(calls.size(), (lastMined - firstMined) / 1e6, (lastObserved - firstMined) / 1e9,
                latencies, cpu, pool);
    }

    LatencySummary latency() {
        return LatencySummary.ofNanos(latencyNanos);
    }

    double callsPerSecond() {
        return calls / seconds;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d calls in %.2f s = %.1f calls/s; latency %s; job blocks mined within %.0f ms;"
                + " CPU per call: this JVM %.2f ms, Anvil %.2f ms; %s", calls, seconds, callsPerSecond(), latency(), loadMs,
                cpu.jvmNanos() / 1e6 / calls, cpu.anvilNanos() / 1e6 / calls, pool);
    }
}
