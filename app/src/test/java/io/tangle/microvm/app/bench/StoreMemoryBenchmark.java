package io.tangle.microvm.app.bench;

import io.tangle.microvm.app.operator.Operator;
import io.tangle.microvm.app.testing.QueryClient;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.jobs.JobIndex;
import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.store.ChainPosition;
import io.tangle.microvm.store.JobOutcome;
import io.tangle.microvm.store.ServiceKey;
import io.tangle.microvm.store.SnapshotRecord;
import io.tangle.microvm.store.SqliteStore;
import io.tangle.microvm.store.VmRecord;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Operator heap with {@code bench.vms} VM records (10,000 by default) in the store, against an
 * empty store, in one JVM: heap in use after full collections with no operator, then with an
 * operator on the empty store, then with one on the full store, then on the empty store again.
 * Each operator's figure is the difference to the reading with no operator just before it, so the
 * harness does not count, and neither do classes and caches that an earlier operator left behind.
 *
 * <p>The full store is filled before any reading, with one {@code commitJob} per VM (a create_vm
 * outcome and the VM record), as the operator writes them. The operator uses the in-memory
 * provider, which loads every VM record at start.
 */
public final class StoreMemoryBenchmark {

    private static final int VMS = Integer.getInteger("bench.vms", 10_000);
    private static final String ZERO_HASH = "0x" + "0".repeat(64);

    private StoreMemoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchReport report = BenchReport.start("StoreMemoryBenchmark");
        report.line("workload", "operator (in-memory provider) on an empty store and on a store with %d VM records;"
                + " heap in use after 4 System.gc() calls, smallest reading", VMS);

        try (WorkDirectory work = WorkDirectory.create("bench-memory-");
                BenchChain chain = BenchChain.start("bench-memory")) {
            LocalDeployment deployment = chain.deployment();
            long fillStart = System.nanoTime();
            fillStore(work.resolve("full"), deployment);
            report.line("setup", "%d commitJob calls in %.1f s", VMS, (System.nanoTime() - fillStart) / 1e9);

            long emptyFirst = measure(report, "empty store", deployment, work.resolve("empty"), 0);
            long full = measure(report, VMS + " VMs", deployment, work.resolve("full"), VMS);
            long emptyAgain = measure(report, "empty store again", deployment, work.resolve("empty"), 0);

            // The first operator in the JVM also fills caches that outlive it (its figure includes
            // them), so the full store is compared with the empty store measured after it.
            report.line("heap for the VM records", "%.1f MiB = %.0f bytes per VM (full store minus empty store again;"
                    + " the first empty-store figure %.1f MiB includes one-time initialisation)",
                    MemoryProbe.mib(full - emptyAgain), (double) (full - emptyAgain) / VMS, MemoryProbe.mib(emptyFirst));
        }
        report.finish();
    }

    /**
     * Starts an operator over {@code dir}, prints its heap and RSS increase over the reading just
     * before, checks that the query API lists {@code expectedVms} VMs and times that listing, and
     * returns the heap increase in bytes.
     */
    private static long measure(BenchReport report, String label, LocalDeployment deployment, Path dir, int expectedVms)
            throws Exception {
        MemoryProbe.Reading before = MemoryProbe.afterFullGc();
        Operator operator = BenchOperators.start(deployment, dir, Map.of());
        try {
            BenchOperators.awaitReady(operator, Duration.ofSeconds(30));
            MemoryProbe.Reading with = MemoryProbe.afterFullGc();
            long heap = with.heapUsedBytes() - before.heapUsedBytes();
            report.line("operator heap, " + label, "%.1f MiB (JVM without operator: %s; with: %s; RSS increase %.1f MiB)",
                    MemoryProbe.mib(heap), before, with, MemoryProbe.mib(with.rssBytes() - before.rssBytes()));
            checkListing(report, label, operator, expectedVms);
            return heap;
        } finally {
            operator.close();
        }
    }

    /** Checks that {@code GET /vms} lists every VM, and prints how long the listing takes (best of 3). */
    private static void checkListing(BenchReport report, String label, Operator operator, int expectedVms)
            throws Exception {
        QueryClient query = new QueryClient(operator.queryPort());
        long best = Long.MAX_VALUE;
        HttpResponse<String> response = null;
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            response = query.get("/vms");
            best = Math.min(best, System.nanoTime() - start);
        }
        int listed = countVms(response.body());
        if (response.statusCode() != 200 || listed != expectedVms) {
            throw new IllegalStateException("GET /vms returned status " + response.statusCode() + " with " + listed
                    + " VMs; expected " + expectedVms);
        }
        report.line("GET /vms, " + label, String.format(Locale.ROOT, "%d VMs, %d bytes, %.1f ms (best of 3)", listed,
                response.body().length(), best / 1e6));
    }

    private static int countVms(String body) {
        int count = 0;
        for (int index = body.indexOf("\"vm_id\""); index >= 0; index = body.indexOf("\"vm_id\"", index + 1)) {
            count++;
        }
        return count;
    }

    /** Writes {@link #VMS} VMs, each through one commitJob, into the store that an operator over {@code dir} opens. */
    private static void fillStore(Path dir, LocalDeployment deployment) {
        String owner = deployment.owner().getAddress().toLowerCase(Locale.ROOT);
        Instant now = Instant.now();
        ServiceKey key = new ServiceKey(deployment.chainId(), deployment.contractAddress(), deployment.serviceId());
        try (SqliteStore store = SqliteStore.open(dir.resolve("data"), key)) {
            for (int i = 0; i < VMS; i++) {
                String vmId = "vm-" + i;
                JobOutcome outcome = JobOutcome.succeeded(i, JobIndex.CREATE_VM, "create_vm", vmId, now);
                store.commitJob(outcome, new ChainPosition(deployment.activationBlock() + 1 + i / 100, ZERO_HASH, i % 100),
                        record(vmId, owner, i, now));
            }
        }
    }

    /** Builds the record of VM number {@code index}: half running, a third stopped, the rest created, and a snapshot on every third. */
    private static VmRecord record(String vmId, String owner, int index, Instant at) {
        VmStatus status = switch (index % 6) {
            case 0, 1, 2 -> VmStatus.RUNNING;
            case 3, 4 -> VmStatus.STOPPED;
            default -> VmStatus.CREATED;
        };
        List<SnapshotRecord> snapshots = index % 3 == 0 ? List.of(SnapshotRecord.inMemory("snap-1", at)) : List.of();
        return new VmRecord(vmId, owner, status, "in-memory", null, at, at, (long) index, snapshots);
    }
}
