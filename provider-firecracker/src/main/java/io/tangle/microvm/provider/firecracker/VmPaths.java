package io.tangle.microvm.provider.firecracker;

import io.tangle.microvm.runtime.ResourceIds;
import java.nio.file.Path;

/**
 * The file layout of one VM. Every file a VM owns lives in {@code <stateDir>/<vmId>/}, so
 * destroying a VM removes one directory:
 *
 * <pre>
 * vm.json                 metadata: status, machine, Firecracker pid and socket, snapshot records
 * firecracker.log         stdout and stderr of the latest Firecracker process: its log and the
 *                         guest's serial console
 * rootfs.ext4             the VM's own copy of the rootfs, only when the rootfs is writable
 * snapshots/NAME.vmstate  microVM state written by PUT /snapshot/create
 * snapshots/NAME.mem      guest memory
 * snapshots/NAME.rootfs   copy of rootfs.ext4 taken while the VM was paused (writable rootfs only)
 * </pre>
 *
 * <p>The API sockets of the two launch slots live in the short {@link FirecrackerSocketDir} because of the
 * Unix socket path limit. Two slots exist because a restore starts the new Firecracker process
 * next to the old one and ends the old one only once the restored VM runs. Ids are validated
 * before they reach a provider, so they are safe as file names.
 */
record VmPaths(Path stateDir, Path socketDir, String vmId, Path dir) {

    /**
     * The subdirectory of the state directory that contains the records of destroyed VMs. Its name
     * starts with a dot, which no VM id can, so it never collides with a VM directory.
     */
    static final String DESTROYED_DIR = ".destroyed";

    private static final String PARTIAL_SUFFIX = ".partial";

    static VmPaths of(Path stateDir, Path socketDir, String vmId) {
        return new VmPaths(stateDir, socketDir, vmId, stateDir.resolve(vmId));
    }

    Path metadataFile() {
        return dir.resolve("vm.json");
    }

    Path vmmLog() {
        return dir.resolve("firecracker.log");
    }

    /** Returns the VM's own rootfs, used when the configured rootfs is writable. */
    Path rootfsCopy() {
        return dir.resolve("rootfs.ext4");
    }

    /** Returns the name the current rootfs copy gets while a restore puts the snapshot's copy in its place. */
    Path rootfsReplaced() {
        return dir.resolve("rootfs.ext4.replaced");
    }

    /** Returns the file a restore fills with the snapshot's rootfs before it renames it into place. */
    Path rootfsRestoring() {
        return dir.resolve("rootfs.ext4.restoring");
    }

    Path snapshotsDir() {
        return dir.resolve("snapshots");
    }

    Path snapshotState(String snapshotId) {
        return snapshotsDir().resolve(snapshotId + ".vmstate");
    }

    Path snapshotMemory(String snapshotId) {
        return snapshotsDir().resolve(snapshotId + ".mem");
    }

    Path snapshotDisk(String snapshotId) {
        return snapshotsDir().resolve(snapshotId + ".rootfs");
    }

    /** Returns the temporary name of a snapshot file while it is written. It is renamed to {@code file} on success. */
    static Path partial(Path file) {
        return file.resolveSibling(file.getFileName() + PARTIAL_SUFFIX);
    }

    static boolean isPartial(Path file) {
        return file.getFileName().toString().endsWith(PARTIAL_SUFFIX);
    }

    /** Returns the API socket of launch slot 0 or 1. */
    Path socket(int slot) {
        if (slot != 0 && slot != 1) {
            throw new IllegalArgumentException("launch slot must be 0 or 1, got " + slot);
        }
        return FirecrackerSocketDir.socket(socketDir, vmId, slot);
    }

    /**
     * Returns the longest file path this VM can have: the partial state file of a snapshot whose
     * id has the maximum length. For the path length check of the state directory.
     */
    Path longestFilePath() {
        return partial(snapshotState("x".repeat(ResourceIds.MAX_LENGTH)));
    }

    /** Returns the record file of a destroyed VM. */
    Path tombstone() {
        return stateDir.resolve(DESTROYED_DIR).resolve(vmId + ".json");
    }
}
