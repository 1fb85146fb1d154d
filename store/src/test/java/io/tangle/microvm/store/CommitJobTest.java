package io.tangle.microvm.store;

import static io.tangle.microvm.store.Fixtures.SERVICE;
import static io.tangle.microvm.store.Fixtures.T0;
import static io.tangle.microvm.store.Fixtures.failed;
import static io.tangle.microvm.store.Fixtures.fileSnapshot;
import static io.tangle.microvm.store.Fixtures.position;
import static io.tangle.microvm.store.Fixtures.succeeded;
import static io.tangle.microvm.store.Fixtures.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.runtime.VmStatus;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitJobTest {

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
    void commitStoresOutcomeAndVm() {
        JobOutcome outcome = succeeded(1, "create_vm", "vm-1");
        VmRecord vm = vm("vm-1", VmStatus.CREATED, 1);

        boolean stored = store.commitJob(outcome, position(20, 2), vm);

        assertThat(stored).isTrue();
        assertThat(store.find(1)).contains(outcome);
        assertThat(store.findVm("vm-1")).contains(vm);
    }

    @Test
    void replacedOutcomeMakesRoomForNewCall() {
        store.commitJob(succeeded(9, "create_vm", "vm-old"), position(90, 0), vm("vm-old", VmStatus.CREATED, 9));
        store.saveSubmission(new SubmissionRecord(9, SubmissionRecord.Status.SUBMITTED, "0x" + "ab".repeat(32), 1, null,
                T0));

        boolean replaced = store.replace(9, "call 9 left the chain in a reorganisation");
        boolean stored = store.commitJob(succeeded(9, "create_vm", "vm-new"), position(91, 0),
                vm("vm-new", VmStatus.CREATED, 9));

        assertThat(replaced).isTrue();
        assertThat(stored).isTrue();
        assertThat(store.find(9)).contains(succeeded(9, "create_vm", "vm-new"));
        assertThat(store.findSubmission(9)).as("submission of the old call").isEmpty();
        assertThat(store.replacedOutcomeCount(9)).isEqualTo(1);
        assertThat(store.findVm("vm-old")).as("the old call's VM stays").isPresent();
    }

    @Test
    void callDigestIsStoredWithOutcome() {
        store.commitJob(succeeded(11, "create_vm", "vm-d"), position(110, 0), vm("vm-d", VmStatus.CREATED, 11),
                "sha256:" + "cd".repeat(32));
        store.commitJob(succeeded(12, "create_vm", "vm-e"), position(110, 1), vm("vm-e", VmStatus.CREATED, 12));

        assertThat(store.findCallDigest(11)).contains("sha256:" + "cd".repeat(32));
        assertThat(store.findCallDigest(12)).as("outcome committed without a digest").isEmpty();
        assertThat(store.findCallDigest(13)).as("call without an outcome").isEmpty();
    }

    @Test
    void replacingUnknownCallChangesNothing() {
        assertThat(store.replace(10, "no such call")).isFalse();
        assertThat(store.replacedOutcomeCount(10)).isZero();
    }

    @Test
    void failedJobCommitsWithoutVm() {
        JobOutcome outcome = failed(2, "start_vm", "vm-9", "VM vm-9 not found");

        boolean stored = store.commitJob(outcome, position(20, 3), null);

        assertThat(stored).isTrue();
        assertThat(store.find(2)).contains(outcome);
        assertThat(store.listVms()).isEmpty();
    }

    @Test
    void secondCommitOfCallChangesNothing() {
        JobOutcome first = succeeded(3, "start_vm", "vm-1");
        VmRecord running = vm("vm-1", VmStatus.RUNNING, 3);
        store.commitJob(first, position(30, 0), running);

        boolean stored = store.commitJob(failed(3, "start_vm", "vm-1", "replayed"), position(31, 4),
                vm("vm-1", VmStatus.DESTROYED, 3));

        assertThat(stored).isFalse();
        assertThat(store.find(3)).contains(first);
        assertThat(store.findVm("vm-1")).contains(running);
        assertThat(store.outcomesFromBlock(0)).extracting(CallAtPosition::blockNumber).containsExactly(30L);
    }

    @Test
    void commitAfterRecordChangesNothing() {
        JobOutcome recorded = failed(4, "stop_vm", "vm-1", "recorded without a VM change");
        store.record(recorded);

        boolean stored = store.commitJob(succeeded(4, "stop_vm", "vm-1"), position(40, 0), vm("vm-1", VmStatus.STOPPED, 4));

        assertThat(stored).isFalse();
        assertThat(store.find(4)).contains(recorded);
        assertThat(store.findVm("vm-1")).isEmpty();
    }

    @Test
    void failingVmWriteLeavesNoOutcome() throws SQLException {
        rejectInDatabase("vms", "NEW.vm_id = 'vm-poison'");

        assertThatThrownBy(() -> store.commitJob(succeeded(5, "create_vm", "vm-poison"), position(50, 0),
                vm("vm-poison", VmStatus.CREATED, 5)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("commit job for call 5")
                .hasMessageContaining(store.databaseFile().toString())
                .hasMessageContaining("rejected by test trigger");

        assertThat(store.find(5)).isEmpty();
        assertThat(store.findVm("vm-poison")).isEmpty();
        assertThat(store.outcomeCount()).isZero();
    }

    @Test
    void failingSnapshotWriteKeepsOldVm() throws SQLException {
        VmRecord before = vm("vm-1", VmStatus.STOPPED, 6, List.of(fileSnapshot("snap-1", 2)));
        store.commitJob(succeeded(6, "stop_vm", "vm-1"), position(60, 0), before);
        rejectInDatabase("snapshots", "NEW.name = 'snap-poison'");

        assertThatThrownBy(() -> store.commitJob(succeeded(7, "snapshot_vm", "vm-1"), position(61, 0),
                vm("vm-1", VmStatus.STOPPED, 7, List.of(fileSnapshot("snap-1", 2), fileSnapshot("snap-poison", 1)))))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("commit job for call 7");

        assertThat(store.find(7)).isEmpty();
        assertThat(store.findVm("vm-1")).contains(before);
    }

    @Test
    void callCanCommitAfterFailedAttempt() throws SQLException {
        rejectInDatabase("vms", "NEW.status = 'running'");
        VmRecord running = vm("vm-1", VmStatus.RUNNING, 8);
        assertThatThrownBy(() -> store.commitJob(succeeded(8, "start_vm", "vm-1"), position(80, 0), running))
                .isInstanceOf(StoreException.class);
        JobOutcome outcome = failed(8, "start_vm", "vm-1", "the store rejected the running state");

        boolean stored = store.commitJob(outcome, position(80, 0), null);

        assertThat(stored).isTrue();
        assertThat(store.find(8)).contains(outcome);
    }

    @Test
    void vmOfAnotherCallIsRejected() {
        VmRecord otherVm = vm("vm-2", VmStatus.RUNNING, 9);

        assertThatThrownBy(() -> store.commitJob(succeeded(9, "start_vm", "vm-1"), position(90, 0), otherVm))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("VM record vm-2 does not belong to call 9, which names VM vm-1");

        assertThat(store.find(9)).isEmpty();
    }

    /** Adds a trigger that aborts inserts into the table when the condition holds, to force a failure mid-transaction. */
    private void rejectInDatabase(String table, String condition) throws SQLException {
        SqliteFiles.execute(store.databaseFile(), "CREATE TRIGGER reject_" + table + " BEFORE INSERT ON " + table
                + " WHEN " + condition + " BEGIN SELECT RAISE(ABORT, 'rejected by test trigger'); END");
    }
}
