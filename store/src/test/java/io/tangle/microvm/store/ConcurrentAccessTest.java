package io.tangle.microvm.store;

import static io.tangle.microvm.store.Fixtures.SERVICE;
import static io.tangle.microvm.store.Fixtures.position;
import static io.tangle.microvm.store.Fixtures.succeeded;
import static io.tangle.microvm.store.Fixtures.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.tangle.microvm.runtime.VmStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Many writers and a reader on one store, as jobs for different VMs and the query API do. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrentAccessTest {

    static final int WRITERS = 16;
    static final int COMMITS_PER_WRITER = 40;

    @TempDir
    Path dataDir;

    @Test
    void concurrentCommitsAllLand() throws Exception {
        try (SqliteStore store = SqliteStore.open(dataDir, SERVICE);
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger reads = new AtomicInteger();
            Future<?> reader = threads.submit(() -> readWhile(store, writing, reads));

            List<Future<?>> writers = new ArrayList<>();
            for (int writer = 0; writer < WRITERS; writer++) {
                int first = writer * COMMITS_PER_WRITER;
                String vmId = "vm-" + writer;
                writers.add(threads.submit(() -> commitRange(store, vmId, first)));
            }
            for (Future<?> writer : writers) {
                writer.get();
            }
            writing.set(false);
            reader.get();

            assertThat(store.outcomeCount()).isEqualTo(WRITERS * COMMITS_PER_WRITER);
            assertThat(store.listVms()).hasSize(WRITERS);
            assertThat(store.findVm("vm-3")).map(VmRecord::lastCallId).contains(4L * COMMITS_PER_WRITER - 1);
            assertThat(reads.get()).as("reads done while writers ran").isPositive();
        }
    }

    private static void commitRange(SqliteStore store, String vmId, int first) {
        for (long callId = first; callId < first + COMMITS_PER_WRITER; callId++) {
            VmStatus status = callId % 2 == 0 ? VmStatus.RUNNING : VmStatus.STOPPED;
            store.commitJob(succeeded(callId, "start_vm", vmId), position(callId, 0), vm(vmId, status, callId));
        }
    }

    /**
     * Lists VMs until the writers finish. A VM and the outcome of its last call commit together,
     * so every listed VM's last call must already have its outcome.
     */
    private static void readWhile(SqliteStore store, AtomicBoolean writing, AtomicInteger reads) {
        do {
            for (VmRecord vm : store.listVms()) {
                assertThat(store.find(vm.lastCallId())).as("outcome of call %d, the last call of %s", vm.lastCallId(), vm.vmId())
                        .isPresent();
            }
            reads.incrementAndGet();
        } while (writing.get());
    }
}
