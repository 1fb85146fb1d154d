package io.tangle.microvm.provider.firecracker;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of one create: check the prerequisites, make the VM directory, copy a writable
 * rootfs, start and configure Firecracker, and write the record. It remembers what it made, so
 * {@link #abandon()} removes exactly that after a failure.
 */
final class VmCreation {

    private static final Logger log = LoggerFactory.getLogger(VmCreation.class);

    private final FirecrackerConfig config;
    private final FirecrackerLauncher launcher;
    private final VmPaths paths;
    private String step = "check the prerequisites";
    private boolean directoryCreated;
    private FirecrackerProcess process;

    VmCreation(FirecrackerConfig config, FirecrackerLauncher launcher, VmPaths paths) {
        this.config = config;
        this.launcher = launcher;
        this.paths = paths;
    }

    /** Returns the step that runs, or that failed. */
    String step() {
        return step;
    }

    /** Returns the configured Firecracker process once {@link #run()} returned. */
    FirecrackerProcess process() {
        return process;
    }

    /** Runs every step and returns the record of the new VM, already written to {@code vm.json}. */
    VmMetadata run() throws LaunchException, IOException, InterruptedException {
        Optional<String> missing = Prerequisites.missing(config);
        if (missing.isPresent()) {
            throw new IOException(missing.get());
        }

        step = "create the VM directory";
        if (Files.exists(paths.dir())) {
            throw new IOException("directory " + paths.dir() + " already exists without a VM record; remove it or "
                    + "choose another id");
        }
        Files.createDirectories(paths.snapshotsDir());
        directoryCreated = true;

        MachineSpec machine = MachineSpec.of(config, paths);
        if (!machine.rootfsReadOnly()) {
            step = "copy the rootfs";
            DiskImages.copy(config.rootfs(), paths.rootfsCopy(), config.snapshotTimeout());
        }

        step = "start Firecracker";
        process = launcher.startConfigured(paths.vmId(), paths, 0, machine);

        step = "write the VM record";
        VmMetadata metadata = VmMetadata.created(paths.vmId(), machine, VmMetadata.ProcessRecord.of(process));
        MetadataStore.write(paths.metadataFile(), metadata);
        return metadata;
    }

    /** Kills the process and deletes the socket and the VM directory. Logs what it cannot undo. */
    void abandon() {
        if (process != null) {
            try {
                if (!process.kill(config.stopTimeout())) {
                    log.error("vm '{}': Firecracker pid {} of the failed create is still alive after SIGKILL",
                            paths.vmId(), process.pid());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.deleteSocket();
        }
        if (directoryCreated) {
            List<String> leftovers = FileTrees.deleteTree(paths.dir());
            if (!leftovers.isEmpty()) {
                log.error("vm '{}': cannot delete {} after the failed create: {}", paths.vmId(), paths.dir(),
                        leftovers);
            }
        }
    }
}
