package io.tangle.microvm.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.runtime.VmStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataStoreTest {

    private static final MachineSpec MACHINE = new MachineSpec(Path.of("/usr/bin/qemu-system-x86_64"),
            Accelerator.TCG, 1, 256, Path.of("/k"), Path.of("/i"), "console=ttyS0");

    @TempDir
    Path dir;

    @Test
    void recordRoundTrips() throws IOException {
        VmMetadata.ProcessRecord process = new VmMetadata.ProcessRecord(4242, Instant.parse("2026-01-02T03:04:05Z"), 1,
                Path.of("/s/vm/qmp1.sock"), Path.of("/s/vm/con1.sock"), MACHINE);
        SnapshotInfo snapshot = new SnapshotInfo("s1", Instant.parse("2026-01-02T03:05:00Z"), 1234,
                Path.of("/s/vm/snapshots/s1.vmstate"), "ab".repeat(32), MACHINE);
        VmMetadata metadata = VmMetadata.created("vm").withProcess(process).withSnapshot(snapshot)
                .withStatus(VmStatus.STOPPED, "paused by stop_vm");
        Path file = dir.resolve("vm.json");

        MetadataStore.write(file, metadata);

        assertThat(MetadataStore.read(file)).isEqualTo(metadata);
        assertThat(Files.exists(dir.resolve("vm.json.tmp"))).isFalse();
    }

    @Test
    void recordWithoutProcessRoundTrips() throws IOException {
        VmMetadata metadata = VmMetadata.created("vm-b");
        Path file = dir.resolve("vm.json");

        MetadataStore.write(file, metadata);

        VmMetadata read = MetadataStore.read(file);
        assertThat(read.process()).isNull();
        assertThat(read.snapshots()).isEqualTo(List.of());
        assertThat(read.nextSlot()).isZero();
    }

    @Test
    void invalidRecordIsReported() throws IOException {
        Path file = dir.resolve("vm.json");
        Files.writeString(file, "{\"format\": 1, \"vmId\": \"vm\", \"status\": \"sleeping\"}");

        assertThatThrownBy(() -> MetadataStore.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("sleeping");
    }

    @Test
    void otherFormatIsReported() throws IOException {
        Path file = dir.resolve("vm.json");
        Files.writeString(file, "{\"format\": 99, \"vmId\": \"vm\", \"status\": \"created\"}");

        assertThatThrownBy(() -> MetadataStore.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("format 99");
    }
}
