package io.tangle.microvm.provider.firecracker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a snapshot's rootfs copy in place of a VM's writable rootfs for a restore, with a way
 * back. A restored Firecracker opens the root drive at the path recorded in the snapshot, which
 * is the VM's {@code rootfs.ext4}, so that file must hold the snapshot's disk before the load.
 *
 * <p>The current copy is renamed aside, not overwritten: a Firecracker process that still runs
 * keeps writing to it through its open file, and a failed restore renames it back. The provider
 * marks the swap in the VM's metadata ({@code restoreInProgress}) before it starts, so a provider
 * started after a crash in between undoes it ({@link #recover}).
 */
final class RootfsSwap {

    private static final Logger log = LoggerFactory.getLogger(RootfsSwap.class);

    private RootfsSwap() {
    }

    /** Copies the snapshot's disk next to the VM's rootfs, then swaps the two by renames. */
    static void swapIn(VmPaths paths, SnapshotInfo.SnapshotFile disk, Duration copyTimeout)
            throws IOException, InterruptedException {
        DiskImages.copy(disk.path(), paths.rootfsRestoring(), copyTimeout);
        Files.move(paths.rootfsCopy(), paths.rootfsReplaced(), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        Files.move(paths.rootfsRestoring(), paths.rootfsCopy(), StandardCopyOption.ATOMIC_MOVE);
        FileTrees.syncDirectory(paths.dir());
    }

    /** Puts the VM's previous rootfs back and deletes what the swap left. Logs instead of throwing. */
    static void rollBack(VmPaths paths) {
        try {
            if (Files.exists(paths.rootfsReplaced())) {
                Files.move(paths.rootfsReplaced(), paths.rootfsCopy(), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                log.info("vm '{}': put the previous rootfs back after an unfinished restore", paths.vmId());
            }
            Files.deleteIfExists(paths.rootfsRestoring());
        } catch (IOException e) {
            log.error("vm '{}': cannot put the previous rootfs back from {}: {}", paths.vmId(), paths.rootfsReplaced(),
                    e.toString());
        }
    }

    /** Deletes the previous rootfs once the restored VM is recorded. Logs instead of throwing. */
    static void commit(VmPaths paths) {
        try {
            Files.deleteIfExists(paths.rootfsReplaced());
            Files.deleteIfExists(paths.rootfsRestoring());
        } catch (IOException e) {
            log.warn("vm '{}': cannot delete {}: {}", paths.vmId(), paths.rootfsReplaced(), e.toString());
        }
    }

    /** Finishes a swap that a crash interrupted: rolls it back when the restore was not recorded, else commits it. */
    static void recover(VmPaths paths, boolean restoreInProgress) {
        if (restoreInProgress) {
            rollBack(paths);
        } else {
            commit(paths);
        }
    }
}
