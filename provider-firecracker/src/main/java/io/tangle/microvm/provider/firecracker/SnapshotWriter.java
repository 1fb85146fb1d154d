package io.tangle.microvm.provider.firecracker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a Full snapshot of a booted VM: pause when it runs, {@code PUT /snapshot/create} into
 * partial files, copy the rootfs while the VM is still paused (writable rootfs only, because
 * Firecracker snapshots contain no disks), sync and digest each file, rename them into place,
 * then resume the VM when it ran before.
 *
 * <p>A failure deletes every file of the snapshot and still resumes a VM that ran. The rootfs is
 * copied after {@code snapshot/create} returned and before the resume, so the copy matches the
 * saved device state even when block requests were still in flight at the pause.
 */
final class SnapshotWriter {

    private static final Logger log = LoggerFactory.getLogger(SnapshotWriter.class);

    private final FirecrackerConfig config;

    SnapshotWriter(FirecrackerConfig config) {
        this.config = config;
    }

    /**
     * Writes snapshot {@code snapshotId} of the VM in {@code process}.
     *
     * @param running whether the VM runs. A stopped VM is already paused and stays paused
     * @throws SnapshotException naming the step and cause. The snapshot's files are gone, and a VM
     *     that ran runs again unless {@link SnapshotException#leftPaused()} is true
     */
    SnapshotInfo write(String vmId, FirecrackerProcess process, VmPaths paths, MachineSpec machine, String snapshotId,
            boolean running) throws SnapshotException, InterruptedException {
        Instant started = Instant.now();
        List<Path> files = files(paths, machine, snapshotId);
        deleteFiles(vmId, files);
        step("create the snapshot directory", () -> Files.createDirectories(paths.snapshotsDir()));

        if (running) {
            api("pause the VM", process, FirecrackerRequests.pause(), config.apiTimeout());
        }

        SnapshotInfo info;
        try {
            info = writeFiles(process, paths, machine, snapshotId);
        } catch (SnapshotException e) {
            deleteFiles(vmId, files);
            if (running) {
                resumeAfterFailure(vmId, process, e);
            }
            throw e;
        }

        if (running) {
            try {
                api("resume the VM", process, FirecrackerRequests.resume(), config.apiTimeout());
            } catch (SnapshotException e) {
                deleteFiles(vmId, files);
                throw new SnapshotException(e.step(), e.getMessage() + "; the VM stays paused and the snapshot was "
                        + "discarded", e.getCause(), true);
            }
        }

        log.info("vm '{}' snapshot '{}' written in {} ms: {} bytes in {} files (pid {})", vmId, snapshotId,
                Duration.between(started, Instant.now()).toMillis(), info.sizeBytes(), info.files().size(),
                process.pid());
        return info;
    }

    private SnapshotInfo writeFiles(FirecrackerProcess process, VmPaths paths, MachineSpec machine, String snapshotId)
            throws SnapshotException, InterruptedException {
        Path state = paths.snapshotState(snapshotId);
        Path memory = paths.snapshotMemory(snapshotId);
        api("create the snapshot", process,
                FirecrackerRequests.createSnapshot(VmPaths.partial(state), VmPaths.partial(memory)),
                config.snapshotTimeout());

        Path disk = null;
        if (!machine.rootfsReadOnly()) {
            disk = paths.snapshotDisk(snapshotId);
            Path diskPartial = VmPaths.partial(disk);
            step("copy the rootfs", () -> {
                DiskImages.copy(machine.rootfs(), diskPartial, config.snapshotTimeout());
                return null;
            });
        }

        SnapshotInfo.SnapshotFile stateFile = finish(state);
        SnapshotInfo.SnapshotFile memoryFile = finish(memory);
        SnapshotInfo.SnapshotFile diskFile = disk == null ? null : finish(disk);
        step("sync the snapshot directory", () -> {
            FileTrees.syncDirectory(paths.snapshotsDir());
            return null;
        });
        return new SnapshotInfo(snapshotId, Instant.now(), stateFile, memoryFile, diskFile);
    }

    /** Syncs and digests the partial file of {@code target}, then renames it to {@code target}. */
    private static SnapshotInfo.SnapshotFile finish(Path target) throws SnapshotException, InterruptedException {
        Path partial = VmPaths.partial(target);
        return step("finish " + target.getFileName(), () -> {
            if (!Files.isRegularFile(partial)) {
                throw new IOException("Firecracker reported success but did not write " + partial);
            }
            FileTrees.syncFile(partial);
            String sha256 = FileTrees.sha256(partial);
            long size = Files.size(partial);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            return new SnapshotInfo.SnapshotFile(target, size, sha256);
        });
    }

    private void resumeAfterFailure(String vmId, FirecrackerProcess process, SnapshotException failure)
            throws InterruptedException {
        try {
            process.api().send(FirecrackerRequests.resume(), config.apiTimeout());
            log.info("vm '{}' (pid {}): resumed after the failed snapshot", vmId, process.pid());
        } catch (FirecrackerApiException e) {
            log.error("vm '{}' (pid {}): cannot resume after the failed snapshot: {}", vmId, process.pid(),
                    e.getMessage());
            failure.markLeftPaused(e);
        }
    }

    /** Returns every file a snapshot can have, final and partial. */
    private static List<Path> files(VmPaths paths, MachineSpec machine, String snapshotId) {
        List<Path> finals = new ArrayList<>(List.of(paths.snapshotState(snapshotId), paths.snapshotMemory(snapshotId)));
        if (!machine.rootfsReadOnly()) {
            finals.add(paths.snapshotDisk(snapshotId));
        }
        List<Path> all = new ArrayList<>(finals);
        finals.forEach(file -> all.add(VmPaths.partial(file)));
        return all;
    }

    /** Deletes the files of one snapshot, logging what was there. */
    static void deleteFiles(String vmId, List<Path> files) {
        for (Path file : files) {
            try {
                if (Files.deleteIfExists(file)) {
                    log.info("vm '{}': deleted snapshot file {}", vmId, file);
                }
            } catch (IOException e) {
                log.warn("vm '{}': cannot delete snapshot file {}: {}", vmId, file, e.toString());
            }
        }
    }

    private static void api(String step, FirecrackerProcess process, ApiCall call, Duration timeout)
            throws SnapshotException, InterruptedException {
        try {
            process.api().send(call, timeout);
        } catch (FirecrackerApiException e) {
            throw new SnapshotException(step, e.getMessage(), e, false);
        }
    }

    private static <T> T step(String step, SnapshotStep<T> action) throws SnapshotException, InterruptedException {
        try {
            return action.run();
        } catch (IOException e) {
            throw new SnapshotException(step, e.getMessage(), e, false);
        }
    }

    @FunctionalInterface
    private interface SnapshotStep<T> {
        T run() throws IOException, InterruptedException;
    }

    /** A failed snapshot. The message names the cause, and {@link #step()} the step. */
    static final class SnapshotException extends Exception {

        private final String step;
        private boolean leftPaused;

        SnapshotException(String step, String message, Throwable cause, boolean leftPaused) {
            super(message, cause);
            this.step = step;
            this.leftPaused = leftPaused;
        }

        String step() {
            return step;
        }

        /** Returns whether a VM that ran before the snapshot is now paused, because the resume failed. */
        boolean leftPaused() {
            return leftPaused;
        }

        private void markLeftPaused(Throwable resumeError) {
            leftPaused = true;
            addSuppressed(resumeError);
        }
    }
}
