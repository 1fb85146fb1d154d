package io.tangle.microvm.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tangle.microvm.runtime.VmProviderException;
import io.tangle.microvm.runtime.VmStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failing starts, hung QEMU processes, failed snapshots and start-up checks. */
class QemuVmProviderFailureTest {

    @TempDir
    Path stateDir;

    @TempDir
    Path files;

    @AfterEach
    void killLeftovers() throws InterruptedException {
        TestGuests.killAll(stateDir);
    }

    @Test
    void repeatedFailingStartsLeaveNothingBehind() throws Exception {
        Path bogusKernel = files.resolve("vmlinuz");
        Files.write(bogusKernel, new byte[4096]);
        QemuConfig base = TestGuests.config(stateDir);
        QemuConfig config = base.withImage(bogusKernel, base.initrd());

        try (QemuVmProvider provider = QemuVmProvider.start(config)) {
            provider.createVm("vm-f");
            for (int attempt = 0; attempt < 5; attempt++) {
                Instant start = Instant.now();

                assertThatThrownBy(() -> provider.startVm("vm-f"))
                        .isInstanceOf(VmProviderException.class)
                        .hasMessageContaining("vm-f")
                        .hasMessageContaining("exited with status");
                assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
                assertThat(provider.getVm("vm-f").orElseThrow().status()).isEqualTo(VmStatus.CREATED);
                assertThat(TestGuests.qemuPids(stateDir)).isEmpty();
                assertThat(TestGuests.socketFiles(stateDir, "vm-f")).isEmpty();
            }
        }
    }

    @Test
    void bootTimeoutKillsQemuAndKeepsVmCreated() throws Exception {
        QemuConfig base = TestGuests.config(stateDir);
        QemuConfig config = base.withTimeouts(Duration.ofMillis(300), base.qmpTimeout(), base.snapshotTimeout(),
                base.stopTimeout());

        try (QemuVmProvider provider = QemuVmProvider.start(config)) {
            provider.createVm("vm-t");
            for (int attempt = 0; attempt < 3; attempt++) {
                assertThatThrownBy(() -> provider.startVm("vm-t"))
                        .isInstanceOf(VmProviderException.class)
                        .hasMessageContaining("vm-t")
                        .hasMessageContaining("failed at step");
                assertThat(provider.getVm("vm-t").orElseThrow().status()).isEqualTo(VmStatus.CREATED);
                assertThat(TestGuests.qemuPids(stateDir)).isEmpty();
                assertThat(TestGuests.socketFiles(stateDir, "vm-t")).isEmpty();
            }
        }
    }

    @Test
    void snapshotTimeoutThenHungDestroy() throws Exception {
        QemuConfig base = TestGuests.config(stateDir);
        QemuConfig config = base.withTimeouts(base.bootTimeout(), Duration.ofSeconds(1), Duration.ofMillis(1),
                Duration.ofSeconds(1));

        try (QemuVmProvider provider = QemuVmProvider.start(config)) {
            provider.createVm("vm-h");
            provider.startVm("vm-h");
            long pid = provider.processId("vm-h").orElseThrow();

            assertThatThrownBy(() -> provider.snapshotVm("vm-h", "s1"))
                    .isInstanceOf(VmProviderException.class)
                    .hasMessageContaining("snapshot timeout");
            assertThat(provider.listSnapshots("vm-h")).contains(List.of());
            try (Stream<Path> snapshotFiles = Files.list(stateDir.resolve("vm-h/snapshots"))) {
                assertThat(snapshotFiles).isEmpty();
            }
            long counter = TestGuests.lastHeartbeat(provider, "vm-h").orElse(-1);
            TestGuests.await("the guest to run on after the failed snapshot", Duration.ofSeconds(20),
                    () -> TestGuests.lastHeartbeat(provider, "vm-h").orElse(-1) > counter);

            TestGuests.signal(pid, "STOP");
            CompletableFuture<Void> destroy = CompletableFuture.runAsync(() -> provider.destroyVm("vm-h"));
            // Queries must return while destroy waits for the hung QEMU.
            Instant queryStart = Instant.now();
            assertThat(provider.listVms()).hasSize(1);
            assertThat(Duration.between(queryStart, Instant.now())).isLessThan(Duration.ofMillis(500));
            // Operations on other VMs must not wait for it either.
            Instant createStart = Instant.now();
            provider.createVm("vm-other");
            assertThat(Duration.between(createStart, Instant.now())).isLessThan(Duration.ofMillis(500));
            assertThat(destroy.isDone()).isFalse();
            Instant start = Instant.now();
            destroy.get(15, TimeUnit.SECONDS);

            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(6));
            assertThat(provider.getVm("vm-h").orElseThrow().status()).isEqualTo(VmStatus.DESTROYED);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
            assertThat(stateDir.resolve("vm-h")).doesNotExist();
        }
    }

    @Test
    void diskFullSnapshotKeepsPriorRunState() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        try (QemuVmProvider provider = QemuVmProvider.start(TestGuests.config(stateDir))) {
            provider.createVm("vm-d");
            provider.startVm("vm-d");
            Path snapshots = stateDir.resolve("vm-d/snapshots");
            assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", snapshots.toString()),
                    "cannot mount a tmpfs here");
            try {
                assertThatThrownBy(() -> provider.snapshotVm("vm-d", "s1"))
                        .isInstanceOf(VmProviderException.class)
                        .hasMessageContaining("s1");
                assertThat(provider.getVm("vm-d").orElseThrow().status()).isEqualTo(VmStatus.RUNNING);
                assertThat(provider.listSnapshots("vm-d")).contains(List.of());
                try (Stream<Path> left = Files.list(snapshots)) {
                    assertThat(left).isEmpty();
                }
                long counter = TestGuests.lastHeartbeat(provider, "vm-d").orElse(-1);
                TestGuests.await("the guest to run on", Duration.ofSeconds(20),
                        () -> TestGuests.lastHeartbeat(provider, "vm-d").orElse(-1) > counter);

                provider.stopVm("vm-d");
                long paused = TestGuests.lastHeartbeat(provider, "vm-d").orElse(-1);
                assertThatThrownBy(() -> provider.snapshotVm("vm-d", "s1"))
                        .isInstanceOf(VmProviderException.class);
                Thread.sleep(1500); // A paused guest prints nothing, so there is no condition to wait for.
                assertThat(provider.getVm("vm-d").orElseThrow().status()).isEqualTo(VmStatus.STOPPED);
                assertThat(TestGuests.lastHeartbeat(provider, "vm-d").orElse(-1)).isEqualTo(paused);
            } finally {
                assertThat(run("umount", snapshots.toString())).isTrue();
            }

            provider.startVm("vm-d");
            provider.snapshotVm("vm-d", "s1");
            assertThat(provider.listSnapshots("vm-d")).contains(List.of("s1"));
        }
    }

    private static boolean run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).inheritIO().start();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }

    @Test
    void startRefusesSocketHeldByLiveProcess() throws Exception {
        try (QemuVmProvider provider = QemuVmProvider.start(TestGuests.config(stateDir))) {
            provider.createVm("vm-b");
            Path socket = VmPaths.of(stateDir, "vm-b").sockets(0).qmp();
            try (FakeQmpServer holder = new FakeQmpServer(socket, 1)) {
                Object inode = Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

                assertThatThrownBy(() -> provider.startVm("vm-b"))
                        .isInstanceOf(VmProviderException.class)
                        .hasMessageContaining("in use by a live process");
                assertThat(Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                        .isEqualTo(inode);
                assertThat(TestGuests.qemuPids(stateDir)).isEmpty();
                assertThat(provider.getVm("vm-b").orElseThrow().status()).isEqualTo(VmStatus.CREATED);
            }
        }
    }

    @Test
    void missingKernelNamesBuildCommand() {
        QemuConfig base = TestGuests.config(stateDir);
        QemuConfig config = base.withImage(files.resolve("no-kernel"), base.initrd());

        assertThatThrownBy(() -> QemuVmProvider.start(config))
                .isInstanceOf(QemuStartupException.class)
                .hasMessageContaining("no-kernel")
                .hasMessageContaining(GuestImage.BUILD_COMMAND);
    }

    @Test
    void missingBinaryIsReported() {
        QemuConfig config = TestGuests.config(stateDir).withBinary("qemu-system-does-not-exist");

        assertThatThrownBy(() -> QemuVmProvider.start(config))
                .isInstanceOf(QemuStartupException.class)
                .hasMessageContaining("qemu-system-does-not-exist")
                .hasMessageContaining(QemuConfig.BIN);
    }

    @Test
    void secondProviderOnSameStateDirIsRejected() {
        QemuConfig config = TestGuests.config(stateDir);
        try (QemuVmProvider first = QemuVmProvider.start(config)) {
            assertThatThrownBy(() -> QemuVmProvider.start(config))
                    .isInstanceOf(QemuStartupException.class)
                    .hasMessageContaining("in use");
        }
    }

    @Test
    void autoAcceleratorSettlesWithinProbeBound() {
        QemuConfig config = TestGuests.config(stateDir).withAccelerator(AcceleratorMode.AUTO);
        Instant start = Instant.now();

        try (QemuVmProvider provider = QemuVmProvider.start(config)) {
            assertThat(provider.accelerator()).isIn(Accelerator.KVM, Accelerator.TCG);
        }

        Duration bound = AcceleratorProbe.KVM_PROBE_TIMEOUT.plus(config.stopTimeout().multipliedBy(2));
        assertThat(Duration.between(start, Instant.now())).isLessThan(bound);
        assertThat(TestGuests.qemuPids(stateDir)).isEmpty();
        assertThat(stateDir.resolve(AcceleratorProbe.PROBE_ID)).doesNotExist();
    }
}
