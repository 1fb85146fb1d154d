package io.tangle.microvm.provider.firecracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.runtime.VmStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataStoreTest {

    @TempDir
    Path dir;

    @Test
    void recordSurvivesWriteAndRead() throws Exception {
        MachineSpec machine = new MachineSpec(2, 512, Path.of("/k/vmlinux"), "console=ttyS0", Path.of("/s/vm/rootfs.ext4"),
                false);
        VmMetadata.ProcessRecord process = new VmMetadata.ProcessRecord(4242, Instant.parse("2026-01-02T03:04:05Z"), 1,
                Path.of("/tmp/mvf-0/vm.1.sock"));
        SnapshotInfo snapshot = new SnapshotInfo("s1", Instant.parse("2026-01-02T03:05:00Z"),
                new SnapshotInfo.SnapshotFile(Path.of("/s/vm/snapshots/s1.vmstate"), 100, "aa"),
                new SnapshotInfo.SnapshotFile(Path.of("/s/vm/snapshots/s1.mem"), 200, "bb"),
                new SnapshotInfo.SnapshotFile(Path.of("/s/vm/snapshots/s1.rootfs"), 300, "cc"));
        VmMetadata metadata = VmMetadata.created("vm", machine, process)
                .withStatus(VmStatus.STOPPED, "paused")
                .withRestoreInProgress(true)
                .withSnapshot(snapshot);
        Path file = dir.resolve("vm.json");

        MetadataStore.write(file, metadata);

        assertThat(MetadataStore.read(file)).isEqualTo(metadata);
        assertThat(file.resolveSibling("vm.json.tmp")).doesNotExist();
    }

    @Test
    void otherFormatIsRejected() throws IOException {
        Path file = dir.resolve("vm.json");
        Files.writeString(file, "{\"format\": 99}");

        assertThatThrownBy(() -> MetadataStore.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unsupported metadata format 99");
    }
}
