package io.tangle.microvm.app.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.LongStream;

/**
 * Order statistics of a sample of durations, in milliseconds. Percentiles use the nearest-rank
 * method: p99 of 1,000 values is the 990th smallest.
 */
record LatencySummary(int count, double minMs, double p50Ms, double p99Ms, double maxMs) {

    /** Summarizes durations given in nanoseconds. */
    static LatencySummary ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no durations to summarize");
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new LatencySummary(sorted.length, millis(sorted[0]), millis(rank(sorted, 50)), millis(rank(sorted, 99)),
                millis(sorted[sorted.length - 1]));
    }

    /** Summarizes several samples of durations in nanoseconds as one. */
    static LatencySummary pool(List<long[]> samples) {
        return ofNanos(samples.stream().flatMapToLong(LongStream::of).toArray());
    }

    /** Returns the median of {@code values}; for an even count, the lower of the two middle values. */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(sorted.length - 1) / 2];
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms (min %.0f, max %.0f, n=%d)", p50Ms, p99Ms, minMs,
                maxMs, count);
    }

    private static long rank(long[] sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, index)];
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }
}
