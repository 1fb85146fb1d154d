package io.tangle.microvm.app.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Reads this JVM's memory: heap in use after full collections, and the resident set size. */
final class MemoryProbe {

    private static final int COLLECTIONS = 4;

    /**
     * One reading.
     *
     * @param heapUsedBytes heap in use right after a full collection, the smallest of several
     * @param rssBytes the process's resident set size ({@code VmRSS}), or -1 when unreadable
     */
    record Reading(long heapUsedBytes, long rssBytes) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "heap after GC %.1f MiB, RSS %.1f MiB", mib(heapUsedBytes), mib(rssBytes));
        }
    }

    private MemoryProbe() {
    }

    /**
     * Runs several full collections ({@link System#gc()}, which G1 performs as a full collection
     * unless {@code -XX:+ExplicitGCInvokesConcurrent} is set) and returns the smallest heap in use
     * seen after one. Taking the smallest discounts objects that background threads allocate
     * between collections.
     */
    static Reading afterFullGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long smallest = Long.MAX_VALUE;
        for (int i = 0; i < COLLECTIONS; i++) {
            System.gc();
            Thread.sleep(200);
            smallest = Math.min(smallest, memory.getHeapMemoryUsage().getUsed());
        }
        return new Reading(smallest, rssBytes(ProcessHandle.current().pid()));
    }

    static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    /** Returns a process's resident set size ({@code VmRSS}), or -1 when it cannot be read, for example after the process ended. */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    String kib = line.substring("VmRSS:".length()).trim().split("\\s+")[0];
                    return Long.parseLong(kib) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
