package io.tangle.microvm.provider.qemu;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot written by the QEMU provider: the guest's full state as a QEMU migration stream.
 *
 * @param name the snapshot id
 * @param createdAt when the snapshot file was complete
 * @param sizeBytes the file size
 * @param file the snapshot file
 * @param sha256 the file's SHA-256 digest in lowercase hex, checked before a restore
 * @param machine the machine the guest ran on, which a restore must reproduce
 */
public record SnapshotInfo(String name, Instant createdAt, long sizeBytes, Path file, String sha256,
        MachineSpec machine) {

    public SnapshotInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(machine, "machine");
    }
}
