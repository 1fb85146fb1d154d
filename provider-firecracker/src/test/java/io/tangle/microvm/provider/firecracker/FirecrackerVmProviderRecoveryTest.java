package io.tangle.microvm.provider.firecracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second provider over the same state directory: adoption, dead processes, orphans and the lock. */
class FirecrackerVmProviderRecoveryTest {

    @TempDir
    Path root;

    private FakeFirecrackerSetup setup;
    private FirecrackerConfig config;

    @BeforeEach
    void createSetup() throws Exception {
        setup = FakeFirecrackerSetup.create(root);
        // A guest that honours Ctrl-Alt-Del, so destroy ends the process without signals.
        setup.hooks(FakeFaults.CTRL_ALT_DEL, "exit");
        config = setup.config();
    }

    @AfterEach
    void checkRequestsAndKillLeftovers() {
        FakeFirecrackerSetup.killAll(config);
        assertThat(setup.invalidRequests()).as("requests that break the Firecracker API definition").isEmpty();
    }

    private static VmView view(FirecrackerVmProvider provider, String vmId) {
        return provider.getVm(vmId).orElseThrow();
    }

    @Test
    void secondProviderAdoptsAndEndsOrphans() throws Exception {
        long runningPid;
        long stoppedPid;
        long createdPid;
        long orphanPid;
        long deadPid;
        try (FirecrackerVmProvider first = FirecrackerVmProvider.start(config)) {
            for (String vmId : List.of("vm-run", "vm-stop", "vm-orphan", "vm-dead")) {
                first.createVm(vmId);
                first.startVm(vmId);
            }
            first.createVm("vm-new");
            first.stopVm("vm-stop");
            first.snapshotVm("vm-run", "s1");
            runningPid = first.processId("vm-run").orElseThrow();
            stoppedPid = first.processId("vm-stop").orElseThrow();
            createdPid = first.processId("vm-new").orElseThrow();
            orphanPid = first.processId("vm-orphan").orElseThrow();
            deadPid = first.processId("vm-dead").orElseThrow();
        }

        // While no provider runs: one VMM dies, one VM loses its record, and a crash in the middle
        // of a snapshot left vm-run paused with a partial file.
        ProcessHandle dead = ProcessHandle.of(deadPid).orElseThrow();
        dead.destroyForcibly();
        dead.onExit().get(10, TimeUnit.SECONDS);
        Files.delete(config.stateDir().resolve("vm-orphan/vm.json"));
        new FirecrackerApiClient(config.socketDir().resolve("vm-run.0.sock"))
                .send(FirecrackerRequests.pause(), config.apiTimeout());
        Path partial = config.stateDir().resolve("vm-run/snapshots/s2.vmstate.partial");
        Files.writeString(partial, "cut short");

        try (FirecrackerVmProvider second = FirecrackerVmProvider.start(config)) {
            assertThat(view(second, "vm-run").status()).isEqualTo(VmStatus.RUNNING);
            assertThat(view(second, "vm-run").snapshots()).containsExactly("s1");
            assertThat(second.processId("vm-run")).contains(runningPid);
            assertThat(setup.calls(runningPid)).endsWith("GET /", "PATCH /vm {\"state\":\"Resumed\"}");
            assertThat(partial).doesNotExist();
            assertThat(view(second, "vm-stop").status()).isEqualTo(VmStatus.STOPPED);
            assertThat(second.processId("vm-stop")).contains(stoppedPid);
            assertThat(view(second, "vm-new").status()).isEqualTo(VmStatus.CREATED);
            assertThat(second.processId("vm-new")).contains(createdPid);
            assertThat(view(second, "vm-dead").status()).isEqualTo(VmStatus.STOPPED);
            assertThat(view(second, "vm-dead").detail()).contains("ended while the provider was not running");
            assertThat(second.getVm("vm-orphan")).isEmpty();
            assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
            assertThat(FakeFirecrackerSetup.livePids(config))
                    .containsExactlyInAnyOrder(runningPid, stoppedPid, createdPid);
            assertThat(FakeFirecrackerSetup.socketFiles(config)).hasSize(3);

            second.stopVm("vm-run");
            assertThat(view(second, "vm-run").status()).isEqualTo(VmStatus.STOPPED);
            second.startVm("vm-stop");
            assertThat(view(second, "vm-stop").status()).isEqualTo(VmStatus.RUNNING);
            second.startVm("vm-new");
            assertThat(setup.calls(createdPid)).endsWith("PUT /actions {\"action_type\":\"InstanceStart\"}");
            assertThat(view(second, "vm-new").status()).isEqualTo(VmStatus.RUNNING);

            second.destroyVm("vm-run");
            second.destroyVm("vm-stop");
            second.destroyVm("vm-new");
            assertThat(FakeFirecrackerSetup.livePids(config)).isEmpty();
        }

        try (FirecrackerVmProvider third = FirecrackerVmProvider.start(config)) {
            assertThat(view(third, "vm-run").status()).isEqualTo(VmStatus.DESTROYED);
            assertThat(view(third, "vm-run").snapshots()).containsExactly("s1");
            assertThat(config.stateDir().resolve("vm-run")).doesNotExist();
            assertThatThrownBy(() -> third.createVm("vm-run"))
                    .isInstanceOf(io.tangle.microvm.runtime.VmAlreadyExistsException.class);
        }
    }

    @Test
    void lockedStateDirIsRejected() throws Exception {
        try (FirecrackerVmProvider first = FirecrackerVmProvider.start(config)) {
            assertThatThrownBy(() -> FirecrackerVmProvider.start(config))
                    .isInstanceOf(FirecrackerStartupException.class)
                    .hasMessageContaining("in use by another Firecracker provider");
            assertThat(first.listVms()).isEmpty();
        }
    }

    @Test
    void shutdownAllKeepsVmRecords() throws Exception {
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-a");
            provider.startVm("vm-a");

            provider.shutdownAll(java.time.Duration.ofSeconds(10));

            assertThat(view(provider, "vm-a").status()).isEqualTo(VmStatus.STOPPED);
            assertThat(view(provider, "vm-a").detail()).contains("provider shutdown");
            assertThat(FakeFirecrackerSetup.livePids(config)).isEmpty();
            assertThat(FakeFirecrackerSetup.socketFiles(config)).isEmpty();
        }
    }
}
