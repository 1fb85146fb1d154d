package io.tangle.microvm.provider.firecracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.runtime.InvalidTransitionException;
import io.tangle.microvm.runtime.SnapshotAlreadyExistsException;
import io.tangle.microvm.runtime.SnapshotNotFoundException;
import io.tangle.microvm.runtime.VmProviderException;
import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The full lifecycle against the fake Firecracker, with the exact API calls and their validity. */
class FirecrackerVmProviderLifecycleTest {

    private static final String BOOT_ARGS = FirecrackerConfig.DEFAULT_BOOT_ARGS;

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
    void lifecycleSendsExactValidCalls() throws Exception {
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-1");
            long first = provider.processId("vm-1").orElseThrow();
            assertThat(view(provider, "vm-1").status()).isEqualTo(VmStatus.CREATED);

            provider.startVm("vm-1");
            assertThat(view(provider, "vm-1").status()).isEqualTo(VmStatus.RUNNING);
            provider.stopVm("vm-1");
            assertThat(view(provider, "vm-1").status()).isEqualTo(VmStatus.STOPPED);
            provider.startVm("vm-1");
            assertThat(view(provider, "vm-1").status()).isEqualTo(VmStatus.RUNNING);

            provider.snapshotVm("vm-1", "s1");
            assertThat(view(provider, "vm-1").status()).isEqualTo(VmStatus.RUNNING);
            assertThat(view(provider, "vm-1").snapshots()).containsExactly("s1");

            provider.restoreVm("vm-1", "s1");
            long second = provider.processId("vm-1").orElseThrow();
            assertThat(second).isNotEqualTo(first);
            assertThat(view(provider, "vm-1").status()).isEqualTo(VmStatus.RUNNING);
            assertThat(FakeFirecrackerSetup.livePids(config)).containsExactly(second);

            assertThat(provider.consoleTail("vm-1", 4096)).hasValueSatisfying(
                    tail -> assertThat(tail).contains("fake firecracker: API server listening"));

            provider.destroyVm("vm-1");
            assertThat(view(provider, "vm-1").status()).isEqualTo(VmStatus.DESTROYED);
            assertThat(provider.consoleTail("vm-1", 4096)).contains("");
            assertThat(view(provider, "vm-1").snapshots()).containsExactly("s1");

            Path snapshots = config.stateDir().resolve("vm-1/snapshots");
            assertThat(setup.calls(first)).containsExactly(
                    "GET /",
                    "PUT /machine-config {\"vcpu_count\":1,\"mem_size_mib\":128,\"smt\":false,\"track_dirty_pages\":true}",
                    "PUT /boot-source {\"kernel_image_path\":\"" + setup.kernel + "\",\"boot_args\":\"" + BOOT_ARGS + "\"}",
                    "PUT /drives/rootfs {\"drive_id\":\"rootfs\",\"path_on_host\":\"" + setup.rootfs
                            + "\",\"is_root_device\":true,\"is_read_only\":true}",
                    "PUT /actions {\"action_type\":\"InstanceStart\"}",
                    "PATCH /vm {\"state\":\"Paused\"}",
                    "PATCH /vm {\"state\":\"Resumed\"}",
                    "PATCH /vm {\"state\":\"Paused\"}",
                    "PUT /snapshot/create {\"snapshot_type\":\"Full\",\"snapshot_path\":\"" + snapshots
                            + "/s1.vmstate.partial\",\"mem_file_path\":\"" + snapshots + "/s1.mem.partial\"}",
                    "PATCH /vm {\"state\":\"Resumed\"}");
            assertThat(setup.calls(second)).containsExactly(
                    "GET /",
                    "PUT /snapshot/load {\"snapshot_path\":\"" + snapshots + "/s1.vmstate\",\"mem_backend\":"
                            + "{\"backend_type\":\"File\",\"backend_path\":\"" + snapshots + "/s1.mem\"},"
                            + "\"resume_vm\":true}",
                    "GET /",
                    "PUT /actions {\"action_type\":\"SendCtrlAltDel\"}");

            assertThat(FakeFirecrackerSetup.livePids(config)).isEmpty();
            assertThat(FakeFirecrackerSetup.socketFiles(config)).isEmpty();
            assertThat(config.stateDir().resolve("vm-1")).doesNotExist();
        }
    }

    @Test
    void snapshotRecordsSizesAndDigests() throws Exception {
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-s");
            provider.startVm("vm-s");
            provider.snapshotVm("vm-s", "s1");

            SnapshotInfo info = provider.snapshotInfo("vm-s", "s1").orElseThrow();
            assertThat(info.disk()).as("disk copy of a read-only rootfs").isNull();
            assertThat(info.memory().sizeBytes()).isEqualTo(FakeVmm.MEMORY_FILE_BYTES);
            assertThat(info.memory().sha256()).isEqualTo(FileTrees.sha256(info.memory().path()));
            assertThat(info.state().sha256()).isEqualTo(FileTrees.sha256(info.state().path()));
            assertThat(info.sizeBytes()).isEqualTo(Files.size(info.state().path()) + Files.size(info.memory().path()));
            try (var files = Files.list(config.stateDir().resolve("vm-s/snapshots"))) {
                assertThat(files.map(path -> path.getFileName().toString()))
                        .containsExactlyInAnyOrder("s1.vmstate", "s1.mem");
            }

            assertThatThrownBy(() -> provider.snapshotVm("vm-s", "s1"))
                    .isInstanceOf(SnapshotAlreadyExistsException.class);
        }
    }

    @Test
    void snapshotOfStoppedVmKeepsItPaused() throws Exception {
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-p");
            provider.startVm("vm-p");
            provider.stopVm("vm-p");
            long pid = provider.processId("vm-p").orElseThrow();

            provider.snapshotVm("vm-p", "s1");

            assertThat(view(provider, "vm-p").status()).isEqualTo(VmStatus.STOPPED);
            List<String> calls = setup.calls(pid);
            assertThat(calls.get(calls.size() - 1)).startsWith("PUT /snapshot/create ");
            assertThat(calls.get(calls.size() - 2)).isEqualTo("PATCH /vm {\"state\":\"Paused\"}");
        }
    }

    @Test
    void snapshotOfNeverStartedVmIsRejected() throws Exception {
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-b");
            long pid = provider.processId("vm-b").orElseThrow();

            assertThatThrownBy(() -> provider.snapshotVm("vm-b", "s1"))
                    .isInstanceOf(VmProviderException.class)
                    .hasMessageContaining("never started");
            assertThat(view(provider, "vm-b").snapshots()).isEmpty();
            assertThat(view(provider, "vm-b").status()).isEqualTo(VmStatus.CREATED);
            assertThat(setup.calls(pid)).noneMatch(call -> call.contains("/snapshot/"));
        }
    }

    @Test
    void transitionTableAppliesBeforeAnyCall() throws Exception {
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-t");
            long pid = provider.processId("vm-t").orElseThrow();
            int callsBefore = setup.calls(pid).size();

            assertThatThrownBy(() -> provider.stopVm("vm-t")).isInstanceOf(InvalidTransitionException.class)
                    .hasMessage("invalid vm transition for 'vm-t': created -> stopped");
            assertThatThrownBy(() -> provider.restoreVm("vm-t", "none")).isInstanceOf(SnapshotNotFoundException.class);
            assertThat(setup.calls(pid)).hasSize(callsBefore);
        }
    }

    @Test
    void writableRootfsCopiedAndRestored() throws Exception {
        config = setup.config(Map.of(FirecrackerConfig.ROOTFS_RO, "false"));
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-w1");
            provider.createVm("vm-w2");
            Path copy1 = config.stateDir().resolve("vm-w1/rootfs.ext4");
            Path copy2 = config.stateDir().resolve("vm-w2/rootfs.ext4");
            assertThat(copy1).hasSameBinaryContentAs(setup.rootfs);
            assertThat(copy2).hasSameBinaryContentAs(setup.rootfs);
            long pid = provider.processId("vm-w1").orElseThrow();
            assertThat(setup.calls(pid)).contains("PUT /drives/rootfs {\"drive_id\":\"rootfs\",\"path_on_host\":\""
                    + copy1 + "\",\"is_root_device\":true,\"is_read_only\":false}");

            provider.startVm("vm-w1");
            Files.writeString(copy1, "disk at snapshot time\n", StandardCharsets.UTF_8);
            provider.snapshotVm("vm-w1", "s1");
            SnapshotInfo info = provider.snapshotInfo("vm-w1", "s1").orElseThrow();
            assertThat(info.disk()).isNotNull();
            assertThat(info.disk().path()).hasContent("disk at snapshot time");

            Files.writeString(copy1, "disk written after the snapshot\n", StandardCharsets.UTF_8);
            provider.restoreVm("vm-w1", "s1");

            assertThat(copy1).hasContent("disk at snapshot time");
            assertThat(copy2).hasSameBinaryContentAs(setup.rootfs);
            assertThat(config.stateDir().resolve("vm-w1/rootfs.ext4.replaced")).doesNotExist();
            assertThat(view(provider, "vm-w1").status()).isEqualTo(VmStatus.RUNNING);
        }
    }

    @Test
    void restoreAfterVmmDeath() throws Exception {
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-r");
            provider.startVm("vm-r");
            provider.snapshotVm("vm-r", "s1");
            long pid = provider.processId("vm-r").orElseThrow();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            FakeFirecrackerSetup.await("vm-r to be stopped", java.time.Duration.ofSeconds(10),
                    () -> view(provider, "vm-r").status() == VmStatus.STOPPED);

            provider.restoreVm("vm-r", "s1");

            assertThat(view(provider, "vm-r").status()).isEqualTo(VmStatus.RUNNING);
            assertThat(view(provider, "vm-r").detail()).isNull();
            assertThat(FakeFirecrackerSetup.livePids(config)).containsExactly(provider.processId("vm-r").orElseThrow());
        }
    }

    @Test
    void corruptSnapshotFileIsRejected() throws Exception {
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-c");
            provider.startVm("vm-c");
            provider.snapshotVm("vm-c", "s1");
            long pid = provider.processId("vm-c").orElseThrow();
            Path memory = provider.snapshotInfo("vm-c", "s1").orElseThrow().memory().path();
            Files.write(memory, new byte[] {1, 2, 3});

            assertThatThrownBy(() -> provider.restoreVm("vm-c", "s1"))
                    .isInstanceOf(VmProviderException.class)
                    .hasMessageContaining("is corrupt");
            assertThat(provider.processId("vm-c")).contains(pid);
            assertThat(FakeFirecrackerSetup.livePids(config)).containsExactly(pid);
        }
    }

    @Test
    void fakeRejectsRequestsOutsideDefinition() throws Exception {
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-v");
            FirecrackerApiClient client = new FirecrackerApiClient(config.socketDir().resolve("vm-v.0.sock"));
            var unknownField = new ApiCall("PUT", "/actions", new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree("{\"action_type\":\"InstanceStart\",\"force\":true}"));

            assertThatThrownBy(() -> client.send(unknownField, config.apiTimeout()))
                    .isInstanceOf(FirecrackerApiException.class)
                    .hasMessageContaining("status 400")
                    .hasMessageContaining("force");
            assertThat(setup.invalidRequests()).hasSize(1);
            assertThat(setup.invalidRequests().get(0).errors()).isNotEmpty();
        }
        // The deliberate invalid request must not fail the check after the test.
        Files.delete(setup.requestLog);
    }
}
