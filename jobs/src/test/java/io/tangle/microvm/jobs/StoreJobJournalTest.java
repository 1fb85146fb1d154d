package io.tangle.microvm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmView;
import io.tangle.microvm.runtime.inmemory.InMemoryVmProvider;
import io.tangle.microvm.store.ServiceKey;
import io.tangle.microvm.store.SqliteStore;
import io.tangle.microvm.store.VmRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreJobJournalTest {

    private static final String OWNER = "0x" + "a".repeat(40);
    private static final String STRANGER = "0x" + "b".repeat(40);
    private static final String HASH = "0x" + "1".repeat(64);
    private static final ServiceKey SERVICE = new ServiceKey(31337, "0x" + "c".repeat(40), 0);

    @TempDir
    Path dataDir;

    private static JobCall call(long callId, int jobIndex, String caller, byte[] inputs) {
        return new JobCall(0, callId, jobIndex, caller, inputs, 10 + callId, 0, HASH);
    }

    /** Simulates an operator process: a provider seeded from the store, a runner over both. */
    private record Operator(SqliteStore store, InMemoryVmProvider provider, JobRunner runner) implements AutoCloseable {

        static Operator open(Path dataDir) {
            SqliteStore store = SqliteStore.open(dataDir, SERVICE);
            List<VmView> views = store.listVms().stream().map(VmRecord::toView).toList();
            InMemoryVmProvider provider = new InMemoryVmProvider(views);
            JobRunner runner = new JobRunner(provider, new StoreJobJournal(store, provider, "in-memory"),
                    OwnerCheck.ENFORCED, Clock.systemUTC());
            return new Operator(store, provider, runner);
        }

        @Override
        public void close() {
            store.close();
        }
    }

    @Test
    void vmStateSurvivesRestart() {
        try (Operator first = Operator.open(dataDir)) {
            first.runner().run(call(0, JobIndex.CREATE_VM, OWNER, AbiFixtures.flat("vm-1")));
            first.runner().run(call(1, JobIndex.START_VM, OWNER, AbiFixtures.flat("vm-1")));
            first.runner().run(call(2, JobIndex.SNAPSHOT_VM, OWNER, AbiFixtures.flat("vm-1", "s1")));
        }

        try (Operator second = Operator.open(dataDir)) {
            VmView vm = second.provider().getVm("vm-1").orElseThrow();

            assertThat(vm.status()).isEqualTo(VmStatus.RUNNING);
            assertThat(vm.snapshots()).containsExactly("s1");
            assertThat(vm.owner()).isEqualTo(OWNER);
        }
    }

    @Test
    void replayedCallAfterRestartActsNoMore() {
        JobCall stop;
        try (Operator first = Operator.open(dataDir)) {
            first.runner().run(call(0, JobIndex.CREATE_VM, OWNER, AbiFixtures.flat("vm-1")));
            first.runner().run(call(1, JobIndex.START_VM, OWNER, AbiFixtures.flat("vm-1")));
            stop = call(2, JobIndex.STOP_VM, OWNER, AbiFixtures.flat("vm-1"));
            first.runner().run(stop);
        }

        try (Operator second = Operator.open(dataDir)) {
            JobExecution replay = second.runner().run(stop);

            assertThat(replay).isInstanceOf(JobExecution.Succeeded.class);
            assertThat(second.provider().getVm("vm-1").orElseThrow().status()).isEqualTo(VmStatus.STOPPED);
            assertThat(second.store().outcomeCount()).isEqualTo(3);
        }
    }

    @Test
    void ownerSurvivesRestart() {
        try (Operator first = Operator.open(dataDir)) {
            first.runner().run(call(0, JobIndex.CREATE_VM, OWNER, AbiFixtures.flat("vm-1")));
        }

        try (Operator second = Operator.open(dataDir)) {
            JobExecution execution = second.runner().run(call(1, JobIndex.DESTROY_VM, STRANGER, AbiFixtures.flat("vm-1")));

            assertThat(execution).isInstanceOf(JobExecution.Failed.class);
            assertThat(second.provider().getVm("vm-1").orElseThrow().status()).isEqualTo(VmStatus.CREATED);
        }
    }

    @Test
    void failedCallLeavesVmRecordUnchanged() {
        try (Operator operator = Operator.open(dataDir)) {
            operator.runner().run(call(0, JobIndex.CREATE_VM, OWNER, AbiFixtures.flat("vm-1")));

            operator.runner().run(call(1, JobIndex.STOP_VM, OWNER, AbiFixtures.flat("vm-1")));

            VmRecord record = operator.store().findVm("vm-1").orElseThrow();
            assertThat(record.status()).isEqualTo(VmStatus.CREATED);
            assertThat(record.lastCallId()).isEqualTo(0L);
            assertThat(operator.store().find(1).orElseThrow().error()).contains("created -> stopped");
        }
    }
}
