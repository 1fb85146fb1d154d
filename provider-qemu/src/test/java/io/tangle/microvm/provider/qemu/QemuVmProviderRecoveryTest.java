package io.tangle.microvm.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guests that exit on their own, and a provider restart over a state directory with live guests. */
class QemuVmProviderRecoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path stateDir;

    @AfterEach
    void killLeftovers() throws InterruptedException {
        TestGuests.killAll(stateDir);
    }

    private static VmView view(QemuVmProvider provider, String vmId) {
        return provider.getVm(vmId).orElseThrow();
    }

    @Test
    void killedQemuStopsVmAndStartBootsAgain() throws Exception {
        try (QemuVmProvider provider = QemuVmProvider.start(TestGuests.config(stateDir))) {
            provider.createVm("vm-k");
            provider.startVm("vm-k");
            long pid = provider.processId("vm-k").orElseThrow();

            ProcessHandle.of(pid).orElseThrow().destroyForcibly();

            TestGuests.await("vm-k to be stopped", WAIT, () -> view(provider, "vm-k").status() == VmStatus.STOPPED);
            assertThat(view(provider, "vm-k").detail()).contains("signal 9");
            assertThat(provider.processId("vm-k")).isEmpty();
            assertThat(VmPaths.of(stateDir, "vm-k").sockets(0).qmp()).doesNotExist();
            assertThat(VmPaths.of(stateDir, "vm-k").sockets(0).console()).doesNotExist();

            provider.startVm("vm-k");
            long newPid = provider.processId("vm-k").orElseThrow();
            assertThat(view(provider, "vm-k").status()).isEqualTo(VmStatus.RUNNING);
            assertThat(view(provider, "vm-k").detail()).isNull();
            assertThat(newPid).isNotEqualTo(pid);
            assertThat(TestGuests.qemuPids(stateDir)).containsExactly(newPid);

            provider.shutdownAll(Duration.ofSeconds(20));
            assertThat(view(provider, "vm-k").status()).isEqualTo(VmStatus.STOPPED);
            assertThat(view(provider, "vm-k").detail()).contains("provider shutdown");
            assertThat(TestGuests.qemuPids(stateDir)).isEmpty();
        }
    }

    @Test
    void restartedProviderAdoptsGuestsAndEndsOrphans() throws Exception {
        QemuConfig config = TestGuests.config(stateDir);
        long runningPid;
        long stoppedPid;
        long orphanPid;
        long killedPid;
        long counterBefore;
        try (QemuVmProvider first = QemuVmProvider.start(config)) {
            for (String vmId : new String[] {"vm-run", "vm-stop", "vm-orphan", "vm-dead"}) {
                first.createVm(vmId);
                first.startVm(vmId);
            }
            first.stopVm("vm-stop");
            runningPid = first.processId("vm-run").orElseThrow();
            stoppedPid = first.processId("vm-stop").orElseThrow();
            orphanPid = first.processId("vm-orphan").orElseThrow();
            killedPid = first.processId("vm-dead").orElseThrow();
            TestGuests.await("a heartbeat of vm-run", WAIT, () -> TestGuests.lastHeartbeat(first, "vm-run").isPresent());
            counterBefore = TestGuests.lastHeartbeat(first, "vm-run").orElseThrow();
        }

        // While no provider runs: one guest dies, and one loses its record.
        ProcessHandle dead = ProcessHandle.of(killedPid).orElseThrow();
        dead.destroyForcibly();
        dead.onExit().get(10, TimeUnit.SECONDS);
        Files.delete(stateDir.resolve("vm-orphan/vm.json"));
        assertThat(ProcessHandle.of(runningPid).map(ProcessHandle::isAlive)).contains(true);

        try (QemuVmProvider second = QemuVmProvider.start(config)) {
            assertThat(view(second, "vm-run").status()).isEqualTo(VmStatus.RUNNING);
            assertThat(second.processId("vm-run")).contains(runningPid);
            assertThat(view(second, "vm-stop").status()).isEqualTo(VmStatus.STOPPED);
            assertThat(second.processId("vm-stop")).contains(stoppedPid);
            assertThat(view(second, "vm-dead").status()).isEqualTo(VmStatus.STOPPED);
            assertThat(view(second, "vm-dead").detail()).contains("ended while the provider was not running");
            assertThat(second.getVm("vm-orphan")).isEmpty();
            assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
            assertThat(TestGuests.qemuPids(stateDir)).containsExactlyInAnyOrder(runningPid, stoppedPid);

            TestGuests.await("vm-run's counter through the reattached console", WAIT,
                    () -> TestGuests.lastHeartbeat(second, "vm-run").orElse(-1) > counterBefore);

            second.stopVm("vm-run");
            assertThat(view(second, "vm-run").status()).isEqualTo(VmStatus.STOPPED);
            second.startVm("vm-stop");
            assertThat(view(second, "vm-stop").status()).isEqualTo(VmStatus.RUNNING);

            second.destroyVm("vm-run");
            second.destroyVm("vm-stop");
            assertThat(TestGuests.qemuPids(stateDir)).isEmpty();
        }

        try (QemuVmProvider third = QemuVmProvider.start(config)) {
            assertThat(view(third, "vm-run").status()).isEqualTo(VmStatus.DESTROYED);
            assertThat(stateDir.resolve("vm-run")).doesNotExist();
        }
    }
}
