package io.tangle.microvm.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One snapshot of a VM.
 *
 * @param name the snapshot name, unique within its VM (case-sensitive)
 * @param sizeBytes the total size of the snapshot files, or {@code null} for an in-memory snapshot
 * @param files the paths of the snapshot files in the provider's order, empty for an in-memory
 *     snapshot
 * @param digest a digest of the snapshot files, or {@code null} for an in-memory snapshot
 */
public record SnapshotRecord(String name, Instant createdAt, Long sizeBytes, List<String> files, String digest) {

    public SnapshotRecord {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("snapshot name is blank");
        }
        Objects.requireNonNull(createdAt, "createdAt");
        if (sizeBytes != null && sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes < 0: " + sizeBytes + " for snapshot '" + name + "'");
        }
        files = List.copyOf(files);
    }

    /** Returns a snapshot that exists only in the provider's memory, with no files. */
    public static SnapshotRecord inMemory(String name, Instant createdAt) {
        return new SnapshotRecord(name, createdAt, null, List.of(), null);
    }
}
