package io.tangle.microvm.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.runtime.InvalidTransitionException;
import io.tangle.microvm.runtime.SnapshotAlreadyExistsException;
import io.tangle.microvm.runtime.SnapshotNotFoundException;
import io.tangle.microvm.runtime.VmProviderException;
import io.tangle.microvm.runtime.VmStatus;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lifecycle operations on real TCG guests. */
class QemuVmProviderLifecycleTest {

    private static final Duration HEARTBEAT_WAIT = Duration.ofSeconds(20);

    @TempDir
    Path stateDir;

    @AfterEach
    void killLeftovers() throws InterruptedException {
        TestGuests.killAll(stateDir);
    }

    private static VmStatus status(QemuVmProvider provider, String vmId) {
        return provider.getVm(vmId).orElseThrow().status();
    }

    private static long heartbeat(QemuVmProvider provider, String vmId) {
        return TestGuests.lastHeartbeat(provider, vmId).orElse(-1);
    }

    @Test
    void fullLifecycle() throws Exception {
        try (QemuVmProvider provider = QemuVmProvider.start(TestGuests.config(stateDir))) {
            provider.createVm("vm-a");
            assertThat(status(provider, "vm-a")).isEqualTo(VmStatus.CREATED);
            assertThat(provider.processId("vm-a")).isEmpty();
            assertThat(Files.isDirectory(stateDir.resolve("vm-a"))).isTrue();

            provider.startVm("vm-a");
            long pid = provider.processId("vm-a").orElseThrow();
            assertThat(status(provider, "vm-a")).isEqualTo(VmStatus.RUNNING);
            assertThat(TestGuests.qemuPids(stateDir)).containsExactly(pid);
            assertThat(provider.consoleTail("vm-a", 4096).orElseThrow()).contains(GuestImage.READY_LINE);
            TestGuests.await("a heartbeat", HEARTBEAT_WAIT, () -> heartbeat(provider, "vm-a") >= 1);

            provider.stopVm("vm-a");
            long pausedAt = heartbeat(provider, "vm-a");
            Thread.sleep(2000); // The guest must not print while paused, so there is no condition to wait for.
            assertThat(status(provider, "vm-a")).isEqualTo(VmStatus.STOPPED);
            assertThat(heartbeat(provider, "vm-a")).isEqualTo(pausedAt);
            assertThat(provider.processId("vm-a")).contains(pid);

            provider.startVm("vm-a");
            assertThat(status(provider, "vm-a")).isEqualTo(VmStatus.RUNNING);
            TestGuests.await("the counter to continue", HEARTBEAT_WAIT, () -> heartbeat(provider, "vm-a") > pausedAt);

            provider.snapshotVm("vm-a", "s1");
            SnapshotInfo info = provider.snapshotInfo("vm-a", "s1").orElseThrow();
            assertThat(status(provider, "vm-a")).isEqualTo(VmStatus.RUNNING);
            assertThat(provider.listSnapshots("vm-a")).contains(List.of("s1"));
            assertThat(info.file()).exists();
            assertThat(info.sizeBytes()).isEqualTo(Files.size(info.file()));
            assertThat(info.sizeBytes()).isBetween(1L, 128L * 1024 * 1024 * 11 / 10);
            assertThat(info.sha256()).isEqualTo(SnapshotWriter.sha256(info.file()));
            long snapshotAt = heartbeat(provider, "vm-a");
            TestGuests.await("the counter after the snapshot", HEARTBEAT_WAIT,
                    () -> heartbeat(provider, "vm-a") > snapshotAt);
            assertThatThrownBy(() -> provider.snapshotVm("vm-a", "s1"))
                    .isInstanceOf(SnapshotAlreadyExistsException.class);

            provider.destroyVm("vm-a");
            assertThat(status(provider, "vm-a")).isEqualTo(VmStatus.DESTROYED);
            assertThat(provider.listSnapshots("vm-a")).contains(List.of("s1"));
            assertThat(provider.snapshotInfo("vm-a", "s1")).isEmpty();
            assertThat(TestGuests.qemuPids(stateDir)).isEmpty();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
            assertThat(stateDir.resolve("vm-a")).doesNotExist();
            assertThatThrownBy(() -> provider.startVm("vm-a")).isInstanceOf(InvalidTransitionException.class);
        }
    }

    @Test
    void restoreContinuesSavedCounter() throws Exception {
        try (QemuVmProvider provider = QemuVmProvider.start(TestGuests.config(stateDir))) {
            provider.createVm("vm-r");
            provider.startVm("vm-r");
            TestGuests.await("two heartbeats", HEARTBEAT_WAIT, () -> heartbeat(provider, "vm-r") >= 2);

            // A snapshot of a stopped VM leaves it stopped. The second one starts from the
            // postmigrate state that the first left behind.
            provider.stopVm("vm-r");
            long saved = heartbeat(provider, "vm-r");
            provider.snapshotVm("vm-r", "s1");
            provider.snapshotVm("vm-r", "s2");
            assertThat(status(provider, "vm-r")).isEqualTo(VmStatus.STOPPED);
            assertThat(provider.listSnapshots("vm-r")).contains(List.of("s1", "s2"));

            provider.startVm("vm-r");
            TestGuests.await("the counter to move past the snapshot", HEARTBEAT_WAIT,
                    () -> heartbeat(provider, "vm-r") >= saved + 3);
            long oldPid = provider.processId("vm-r").orElseThrow();
            int before = provider.consoleTail("vm-r", QemuVmProvider.CONSOLE_TAIL_BYTES).orElseThrow().length();

            provider.restoreVm("vm-r", "s1");
            long newPid = provider.processId("vm-r").orElseThrow();
            assertThat(status(provider, "vm-r")).isEqualTo(VmStatus.RUNNING);
            assertThat(newPid).isNotEqualTo(oldPid);
            assertThat(TestGuests.qemuPids(stateDir)).containsExactly(newPid);
            TestGuests.await("a heartbeat from the restored guest", HEARTBEAT_WAIT, () -> !TestGuests.heartbeatsAfter(
                    provider.consoleTail("vm-r", QemuVmProvider.CONSOLE_TAIL_BYTES).orElseThrow().substring(before),
                    null).isEmpty());
            String restoredOutput = provider.consoleTail("vm-r", QemuVmProvider.CONSOLE_TAIL_BYTES).orElseThrow()
                    .substring(before);
            long firstRestored = TestGuests.heartbeatsAfter(restoredOutput, null).get(0);
            assertThat(restoredOutput).doesNotContain(GuestImage.READY_LINE);
            assertThat(firstRestored).isBetween(saved, saved + 2);

            assertThatThrownBy(() -> provider.restoreVm("vm-r", "nope"))
                    .isInstanceOf(SnapshotNotFoundException.class);
            assertThat(provider.processId("vm-r")).contains(newPid);
        }
    }

    @Test
    void corruptSnapshotIsRejectedAndGuestKeepsRunning() throws Exception {
        try (QemuVmProvider provider = QemuVmProvider.start(TestGuests.config(stateDir))) {
            provider.createVm("vm-c");
            provider.startVm("vm-c");
            provider.snapshotVm("vm-c", "s1");
            long pid = provider.processId("vm-c").orElseThrow();
            Path file = provider.snapshotInfo("vm-c", "s1").orElseThrow().file();
            try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
                out.setLength(out.length() / 2);
            }

            assertThatThrownBy(() -> provider.restoreVm("vm-c", "s1"))
                    .isInstanceOf(VmProviderException.class)
                    .hasMessageContaining("SHA-256");
            assertThat(status(provider, "vm-c")).isEqualTo(VmStatus.RUNNING);
            assertThat(TestGuests.qemuPids(stateDir)).containsExactly(pid);
            long now = heartbeat(provider, "vm-c");
            TestGuests.await("the guest to keep counting", HEARTBEAT_WAIT, () -> heartbeat(provider, "vm-c") > now);
        }
    }

    @Test
    void restoreOfBrokenStreamKeepsCurrentGuest() throws Exception {
        QemuConfig config = TestGuests.config(stateDir);
        long pid;
        try (QemuVmProvider provider = QemuVmProvider.start(config)) {
            provider.createVm("vm-b");
            provider.startVm("vm-b");
            provider.snapshotVm("vm-b", "s1");
            pid = provider.processId("vm-b").orElseThrow();
        }

        // Cut the stream in half and record the digest of the cut file, so the digest check passes
        // and QEMU itself must reject the stream.
        Path metadataFile = stateDir.resolve("vm-b/vm.json");
        VmMetadata metadata = MetadataStore.read(metadataFile);
        SnapshotInfo original = metadata.snapshot("s1").orElseThrow();
        try (RandomAccessFile out = new RandomAccessFile(original.file().toFile(), "rw")) {
            out.setLength(out.length() / 2);
        }
        SnapshotInfo cut = new SnapshotInfo("s1", original.createdAt(), Files.size(original.file()), original.file(),
                SnapshotWriter.sha256(original.file()), original.machine());
        MetadataStore.write(metadataFile, new VmMetadata(metadata.vmId(), metadata.status(), metadata.detail(),
                metadata.lastSlot(), metadata.process(), List.of(cut)));

        try (QemuVmProvider provider = QemuVmProvider.start(config)) {
            assertThat(provider.processId("vm-b")).contains(pid);

            assertThatThrownBy(() -> provider.restoreVm("vm-b", "s1"))
                    .isInstanceOf(VmProviderException.class)
                    .hasMessageContaining("load the snapshot")
                    .hasMessageContaining("migration");
            assertThat(status(provider, "vm-b")).isEqualTo(VmStatus.RUNNING);
            assertThat(provider.processId("vm-b")).contains(pid);
            assertThat(TestGuests.qemuPids(stateDir)).containsExactly(pid);
            long now = heartbeat(provider, "vm-b");
            TestGuests.await("the current guest to keep counting", HEARTBEAT_WAIT,
                    () -> heartbeat(provider, "vm-b") > now);
        }
    }

    @Test
    void snapshotOfCreatedVmIsRejected() {
        try (QemuVmProvider provider = QemuVmProvider.start(TestGuests.config(stateDir))) {
            provider.createVm("vm-n");

            assertThatThrownBy(() -> provider.snapshotVm("vm-n", "s1"))
                    .isInstanceOf(VmProviderException.class)
                    .hasMessageContaining("never started");
            assertThat(provider.listSnapshots("vm-n")).contains(List.of());
            assertThat(status(provider, "vm-n")).isEqualTo(VmStatus.CREATED);
        }
    }
}
