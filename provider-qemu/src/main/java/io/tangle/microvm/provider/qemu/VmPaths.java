package io.tangle.microvm.provider.qemu;

import io.tangle.microvm.runtime.ResourceIds;
import java.nio.file.Path;

/**
 * The file layout of one VM. Every file a VM owns lives in {@code <stateDir>/<vmId>/}, so
 * destroying a VM removes one directory:
 *
 * <pre>
 * vm.json              metadata: status, QEMU pid and sockets, snapshot records
 * console.log(.1)      guest console output, rotated
 * qemu.log             QEMU's stdout and stderr of the latest launch
 * snapshots/NAME.vmstate
 * </pre>
 *
 * <p>The QMP and console sockets of the two launch slots are the exception. They live in the short
 * {@link QemuSocketDir} because of the Unix socket path limit, and the provider removes them once their
 * QEMU process has ended.
 *
 * <p>Two launch slots exist because a restore starts the new QEMU next to the old one and ends the
 * old one only once the new guest runs. Ids are validated before they reach a provider, so they are
 * safe as file names.
 */
record VmPaths(Path stateDir, String vmId, Path dir, Path socketDir) {

    /** The subdirectory of the state directory that contains the records of destroyed VMs. */
    static final String DESTROYED_DIR = "destroyed";

    static VmPaths of(Path stateDir, String vmId) {
        return new VmPaths(stateDir, vmId, stateDir.resolve(vmId), QemuSocketDir.pathFor(stateDir));
    }

    Path metadataFile() {
        return dir.resolve("vm.json");
    }

    Path consoleLog() {
        return dir.resolve("console.log");
    }

    Path qemuLog() {
        return dir.resolve("qemu.log");
    }

    Path snapshotsDir() {
        return dir.resolve("snapshots");
    }

    /** Returns the final file of a snapshot. */
    Path snapshotFile(String snapshotId) {
        return snapshotsDir().resolve(snapshotId + ".vmstate");
    }

    /** Returns the file the snapshot writer fills while QEMU streams into it. */
    Path snapshotPartial(String snapshotId) {
        return snapshotsDir().resolve(snapshotId + ".partial");
    }

    /** Returns the name the writer gives the partial file once the stream ended without error. */
    Path snapshotWritten(String snapshotId) {
        return snapshotsDir().resolve(snapshotId + ".written");
    }

    /** Returns the marker the writer creates when writing the stream failed. */
    Path snapshotFailed(String snapshotId) {
        return snapshotsDir().resolve(snapshotId + ".failed");
    }

    LaunchSockets sockets(int slot) {
        if (slot != 0 && slot != 1) {
            throw new IllegalArgumentException("launch slot must be 0 or 1, got " + slot);
        }
        return new LaunchSockets(QemuSocketDir.socket(socketDir, vmId, slot, QemuSocketDir.QMP_SUFFIX),
                QemuSocketDir.socket(socketDir, vmId, slot, QemuSocketDir.CONSOLE_SUFFIX));
    }

    /**
     * Returns the longest file path this VM can have: the partial file of a snapshot whose id has
     * the maximum length. For the path length check of the state directory.
     */
    Path longestFilePath() {
        return snapshotPartial("x".repeat(ResourceIds.MAX_LENGTH));
    }

    /** Returns the record file of a destroyed VM. */
    Path tombstone() {
        return stateDir.resolve(DESTROYED_DIR).resolve(vmId + ".json");
    }

    /** The two sockets of one QEMU launch. */
    record LaunchSockets(Path qmp, Path console) {
    }
}
