package io.tangle.microvm.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import io.tangle.microvm.runtime.VmStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real guests with their sockets in the socket directory: long state directories, adoption and the orphan scan. */
class QemuVmProviderSocketDirTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int LONG_STATE_DIR_BYTES = 150;

    @TempDir
    Path base;

    @TempDir
    Path otherStateDir;

    private Path longStateDir;

    /**
     * Builds a state directory of {@value #LONG_STATE_DIR_BYTES} bytes whose last name contains a
     * comma, a space and a single quote, which QEMU's option parser and the shell would split.
     */
    @BeforeEach
    void makeLongStateDir() {
        String name = "state dir, it's long-";
        int padding = LONG_STATE_DIR_BYTES - base.toString().length() - 1 - name.length();
        longStateDir = base.resolve(name + "x".repeat(padding));
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        TestGuests.killAll(longStateDir);
        TestGuests.killAll(otherStateDir);
    }

    private static int bytes(Path path) {
        return path.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void longStateDirGuestIsAdopted() throws Exception {
        QemuConfig config = TestGuests.config(longStateDir);
        Path socketDir = QemuSocketDir.pathFor(config.stateDir());
        assertThat(bytes(config.stateDir())).isEqualTo(LONG_STATE_DIR_BYTES);
        long pid;
        long counterBefore;
        try (QemuVmProvider first = QemuVmProvider.start(config)) {
            first.createVm("vm-long");
            first.startVm("vm-long");
            pid = first.processId("vm-long").orElseThrow();
            first.snapshotVm("vm-long", "s1");
            TestGuests.await("a heartbeat", WAIT, () -> TestGuests.lastHeartbeat(first, "vm-long").isPresent());
            counterBefore = TestGuests.lastHeartbeat(first, "vm-long").orElseThrow();
        }

        VmMetadata.ProcessRecord recorded = MetadataStore.read(longStateDir.resolve("vm-long/vm.json")).process();
        assertThat(recorded.pid()).isEqualTo(pid);
        assertThat(recorded.qmpSocket().getParent()).isEqualTo(socketDir);
        assertThat(recorded.consoleSocket().getParent()).isEqualTo(socketDir);
        assertThat(bytes(recorded.qmpSocket())).isLessThanOrEqualTo(QemuSocketDir.MAX_SOCKET_PATH_BYTES);
        assertThat(recorded.qmpSocket()).exists();
        assertThat(TestGuests.qemuPids(longStateDir)).containsExactly(pid);

        try (QemuVmProvider second = QemuVmProvider.start(config)) {
            assertThat(second.getVm("vm-long").orElseThrow().status()).isEqualTo(VmStatus.RUNNING);
            assertThat(second.processId("vm-long")).contains(pid);
            TestGuests.await("the counter through the reattached console", WAIT,
                    () -> TestGuests.lastHeartbeat(second, "vm-long").orElse(-1) > counterBefore);

            second.restoreVm("vm-long", "s1");
            long restoredPid = second.processId("vm-long").orElseThrow();
            assertThat(restoredPid).isNotEqualTo(pid);
            assertThat(TestGuests.qemuPids(longStateDir)).containsExactly(restoredPid);
            assertThat(TestGuests.socketFiles(longStateDir, "vm-long")).extracting(path -> path.getFileName().toString())
                    .containsExactlyInAnyOrder("vm-long.1.qmp", "vm-long.1.con");

            second.destroyVm("vm-long");
            assertThat(TestGuests.qemuPids(longStateDir)).isEmpty();
            assertThat(TestGuests.socketFiles(longStateDir, "vm-long")).isEmpty();
        }

        assertThat(socketDir).doesNotExist();
    }

    @Test
    void orphanScanSparesOtherStateDir() throws Exception {
        QemuConfig config = TestGuests.config(longStateDir);
        QemuConfig otherConfig = TestGuests.config(otherStateDir);
        long orphanPid;
        long otherPid;
        try (QemuVmProvider first = QemuVmProvider.start(config);
                QemuVmProvider other = QemuVmProvider.start(otherConfig)) {
            first.createVm("vm-x");
            first.startVm("vm-x");
            orphanPid = first.processId("vm-x").orElseThrow();
            other.createVm("vm-x");
            other.startVm("vm-x");
            otherPid = other.processId("vm-x").orElseThrow();
        }

        // Without its record, the first guest is an orphan of its state directory. The guest with
        // the same VM id in the other state directory is not.
        Files.delete(longStateDir.resolve("vm-x/vm.json"));
        assertThat(TestGuests.qemuPids(longStateDir)).containsExactly(orphanPid);
        assertThat(TestGuests.qemuPids(otherStateDir)).containsExactly(otherPid);

        try (QemuVmProvider restarted = QemuVmProvider.start(config)) {
            assertThat(restarted.getVm("vm-x")).isEmpty();
            assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
            assertThat(ProcessHandle.of(otherPid).map(ProcessHandle::isAlive)).contains(true);
            assertThat(TestGuests.qemuPids(longStateDir)).isEmpty();
        }

        try (QemuVmProvider other = QemuVmProvider.start(otherConfig)) {
            assertThat(other.processId("vm-x")).contains(otherPid);
            other.destroyVm("vm-x");
            assertThat(TestGuests.qemuPids(otherStateDir)).isEmpty();
        }
    }
}
