package io.tangle.microvm.store;

import static io.tangle.microvm.store.Fixtures.SERVICE;
import static io.tangle.microvm.store.Fixtures.T0;
import static io.tangle.microvm.store.Fixtures.failed;
import static io.tangle.microvm.store.Fixtures.fileSnapshot;
import static io.tangle.microvm.store.Fixtures.hash;
import static io.tangle.microvm.store.Fixtures.position;
import static io.tangle.microvm.store.Fixtures.succeeded;
import static io.tangle.microvm.store.Fixtures.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmView;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest {

    @TempDir
    Path dataDir;

    SqliteStore store;

    @BeforeEach
    void openStore() {
        store = SqliteStore.open(dataDir, SERVICE);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void databaseLivesInServiceDirectory() {
        Path expected = dataDir.resolve("services").resolve("31337-0x" + "ab".repeat(20) + "-1").resolve("state.db");

        assertThat(store.databaseFile()).isEqualTo(expected);
        assertThat(expected).isRegularFile();
    }

    @Test
    void connectionSettingsAreDurable() {
        assertThat(store.writerPragma("journal_mode")).isEqualTo("wal");
        assertThat(store.writerPragma("synchronous")).isEqualTo("2");
        assertThat(store.writerPragma("foreign_keys")).isEqualTo("1");
        assertThat(Long.parseLong(store.writerPragma("busy_timeout"))).isEqualTo(5000);
    }

    @Test
    void vmWithSnapshotsRoundTrips() {
        VmRecord vm = vm("vm-1", VmStatus.STOPPED, 7, List.of(
                fileSnapshot("snap-b", 2),
                SnapshotRecord.inMemory("snap-a", T0.plusSeconds(90)),
                fileSnapshot("snap-c", 0)));

        store.commitJob(succeeded(7, "snapshot_vm", "vm-1"), position(100, 3), vm);

        assertThat(store.findVm("vm-1")).contains(vm);
    }

    @Test
    void vmWithoutOptionalFieldsRoundTrips() {
        VmRecord vm = new VmRecord("vm-bare", null, VmStatus.CREATED, "in-memory", null, T0, T0, null, List.of());

        store.saveVms(List.of(vm));

        assertThat(store.findVm("vm-bare")).contains(vm);
    }

    @Test
    void unknownVmIsEmpty() {
        assertThat(store.findVm("vm-missing")).isEmpty();
    }

    @Test
    void vmUpdateReplacesSnapshots() {
        store.commitJob(succeeded(1, "snapshot_vm", "vm-1"), position(10, 0),
                vm("vm-1", VmStatus.RUNNING, 1, List.of(fileSnapshot("old", 2), fileSnapshot("kept", 1))));
        VmRecord after = vm("vm-1", VmStatus.DESTROYED, 2, List.of(fileSnapshot("kept", 1), fileSnapshot("new", 3)));

        store.commitJob(succeeded(2, "destroy_vm", "vm-1"), position(11, 0), after);

        assertThat(store.findVm("vm-1")).contains(after);
    }

    @Test
    void listVmsIsSortedById() {
        store.saveVms(List.of(vm("vm-c", VmStatus.RUNNING, 3), vm("vm-a", VmStatus.CREATED, 1, List.of(fileSnapshot("s", 1))),
                vm("vm-b", VmStatus.DESTROYED, 2)));

        List<VmRecord> vms = store.listVms();

        assertThat(vms).extracting(VmRecord::vmId).containsExactly("vm-a", "vm-b", "vm-c");
        assertThat(vms.getFirst()).isEqualTo(vm("vm-a", VmStatus.CREATED, 1, List.of(fileSnapshot("s", 1))));
    }

    @Test
    void viewListsSnapshotsInOrder() {
        VmRecord vm = vm("vm-1", VmStatus.RUNNING, 5, List.of(fileSnapshot("second-made-first", 1), fileSnapshot("a-later", 1)));

        VmView view = vm.toView();

        assertThat(view.snapshots()).containsExactly("second-made-first", "a-later");
        assertThat(view.owner()).isEqualTo(Fixtures.OWNER);
        assertThat(view.status()).isEqualTo(VmStatus.RUNNING);
    }

    @Test
    void outcomesRoundTrip() {
        JobOutcome ok = succeeded(1, "create_vm", "vm-1");
        JobOutcome bad = failed(2, "start_vm", null, "invalid arguments: empty vm_id");

        store.record(ok);
        store.record(bad);

        assertThat(store.find(1)).contains(ok);
        assertThat(store.find(2)).contains(bad);
        assertThat(store.find(3)).isEmpty();
    }

    @Test
    void recordKeepsFirstOutcome() {
        JobOutcome first = succeeded(9, "stop_vm", "vm-1");

        store.record(first);
        store.record(failed(9, "stop_vm", "vm-1", "a later, different result"));

        assertThat(store.find(9)).contains(first);
        assertThat(store.outcomeCount()).isEqualTo(1);
    }

    @Test
    void outcomeCountCountsEveryCall() {
        for (long callId = 1; callId <= 5; callId++) {
            store.record(succeeded(callId, "create_vm", "vm-" + callId));
        }

        assertThat(store.outcomeCount()).isEqualTo(5);
    }

    @Test
    void outcomesFromBlockAreInChainOrder() {
        store.commitJob(succeeded(1, "create_vm", "vm-1"), position(10, 0), null);
        store.commitJob(succeeded(4, "start_vm", "vm-1"), position(12, 5), null);
        store.commitJob(succeeded(3, "create_vm", "vm-3"), position(12, 1), null);
        store.commitJob(succeeded(2, "create_vm", "vm-2"), position(11, 0), null);
        store.record(succeeded(5, "stop_vm", "vm-1"));

        List<CallAtPosition> calls = store.outcomesFromBlock(11);

        assertThat(calls).containsExactly(
                new CallAtPosition(2, "vm-2", "create_vm", 11, hash(11), 0),
                new CallAtPosition(3, "vm-3", "create_vm", 12, hash(12), 1),
                new CallAtPosition(4, "vm-1", "start_vm", 12, hash(12), 5));
    }

    @Test
    void cursorIsEmptyBeforeFirstSave() {
        assertThat(store.cursor()).isEmpty();
    }

    @Test
    void cursorSaveReplacesEvenBackwards() {
        store.saveCursor(new ChainCursor(500, hash(500), 7));
        ChainCursor rewound = new ChainCursor(480, hash(480), 0);

        store.saveCursor(rewound);

        assertThat(store.cursor()).contains(rewound);
    }

    @Test
    void submissionRoundTripsAndUpdates() {
        SubmissionRecord pending = new SubmissionRecord(4, SubmissionRecord.Status.PENDING, null, 0, null, T0);
        SubmissionRecord submitted =
                new SubmissionRecord(4, SubmissionRecord.Status.SUBMITTED, hash(0xbeef), 1, null, T0.plusSeconds(2));

        store.saveSubmission(pending);
        assertThat(store.findSubmission(4)).contains(pending);

        store.saveSubmission(submitted);
        assertThat(store.findSubmission(4)).contains(submitted);
        assertThat(store.findSubmission(5)).isEmpty();
    }

    @Test
    void pendingSubmissionsSelectRetryable() {
        store.saveSubmission(new SubmissionRecord(5, SubmissionRecord.Status.FAILED, hash(5), 3, "nonce too low", T0));
        store.saveSubmission(new SubmissionRecord(1, SubmissionRecord.Status.PENDING, null, 0, null, T0));
        store.saveSubmission(new SubmissionRecord(2, SubmissionRecord.Status.SUBMITTED, hash(2), 1, null, T0));
        store.saveSubmission(new SubmissionRecord(3, SubmissionRecord.Status.ALREADY_DONE, hash(3), 1, null, T0));
        store.saveSubmission(new SubmissionRecord(4, SubmissionRecord.Status.FAILED, hash(4), 1, "timed out", T0));

        assertThat(store.pendingSubmissions()).extracting(SubmissionRecord::callId).containsExactly(1L, 4L, 5L);
        assertThat(store.pendingSubmissions(3)).extracting(SubmissionRecord::callId).containsExactly(1L, 4L);
    }

    @Test
    void closedStoreRejectsCalls() {
        store.close();

        assertThatThrownBy(() -> store.find(1))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("find outcome of call 1")
                .hasMessageContaining(store.databaseFile().toString())
                .hasMessageContaining("closed");
    }

    @Test
    void closeTwiceDoesNothing() {
        store.close();

        store.close();

        assertThat(store.databaseFile()).isRegularFile();
    }
}
