package io.tangle.microvm.provider.firecracker;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot written by the Firecracker provider: the microVM state and guest memory files of a
 * Full snapshot, plus a copy of the VM's rootfs when it is writable, because Firecracker
 * snapshots do not contain disks.
 *
 * @param name the snapshot id
 * @param createdAt when the last file was complete
 * @param state the microVM state file ({@code snapshot_path})
 * @param memory the guest memory file ({@code mem_file_path})
 * @param disk the rootfs copy, or {@code null} when the rootfs is read-only
 */
public record SnapshotInfo(String name, Instant createdAt, SnapshotFile state, SnapshotFile memory, SnapshotFile disk) {

    public SnapshotInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(memory, "memory");
    }

    /** Returns the files of the snapshot: state, memory and, when present, disk. */
    public List<SnapshotFile> files() {
        List<SnapshotFile> files = new ArrayList<>(List.of(state, memory));
        if (disk != null) {
            files.add(disk);
        }
        return List.copyOf(files);
    }

    /** Returns the size of all files together, in bytes. */
    public long sizeBytes() {
        return files().stream().mapToLong(SnapshotFile::sizeBytes).sum();
    }

    /**
     * One file of a snapshot.
     *
     * @param path the file
     * @param sizeBytes its size
     * @param sha256 its SHA-256 digest in lowercase hex, checked before a restore
     */
    public record SnapshotFile(Path path, long sizeBytes, String sha256) {

        public SnapshotFile {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
        }
    }
}
