package io.tangle.microvm.provider.firecracker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tangle.microvm.runtime.ResourceIds;
import io.tangle.microvm.runtime.VmStatus;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the provider's records from the state directory at start:
 *
 * <ul>
 *   <li>destroyed VMs come back from their records in {@code .destroyed/}, so their ids stay used;
 *   <li>a VM whose recorded Firecracker process still runs is adopted: the pid must be alive,
 *       started at the recorded time and have the recorded API socket on its command line. Its
 *       instance state is then brought back to the recorded status, for example resumed when a
 *       crash left it paused in the middle of a snapshot;
 *   <li>a VM whose process died becomes {@code stopped} with the reason ({@code created} stays);
 *   <li>partial snapshot files and an interrupted rootfs swap of a restore are cleaned up;
 *   <li>Firecracker processes with a socket in the socket directory that no record claims are
 *       ended (SIGTERM, then SIGKILL) and logged, and socket files that no process uses are removed.
 * </ul>
 */
final class StateRecovery {

    private static final Logger log = LoggerFactory.getLogger(StateRecovery.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FirecrackerConfig config;
    private final ConcurrentMap<String, VmEntry> vms;
    private final BiConsumer<VmEntry, FirecrackerProcess> watch;

    StateRecovery(FirecrackerConfig config, ConcurrentMap<String, VmEntry> vms,
            BiConsumer<VmEntry, FirecrackerProcess> watch) {
        this.config = config;
        this.vms = vms;
        this.watch = watch;
    }

    void run() throws InterruptedException {
        Path stateDir = config.stateDir();
        loadDestroyed(stateDir.resolve(VmPaths.DESTROYED_DIR));

        Set<Long> adoptedPids = new HashSet<>();
        Set<Path> adoptedSockets = new HashSet<>();
        for (Path dir : listDirectories(stateDir)) {
            String name = dir.getFileName().toString();
            if (!isVmId(name)) {
                continue;
            }
            recoverVm(VmPaths.of(stateDir, config.socketDir(), name)).ifPresent(process -> {
                adoptedPids.add(process.pid());
                adoptedSockets.add(process.socket());
            });
        }

        endOrphans(adoptedPids);
        deleteUnusedSockets(adoptedSockets);
    }

    private void loadDestroyed(Path destroyedDir) {
        for (Path file : listFiles(destroyedDir, ".json")) {
            try {
                VmMetadata metadata = MetadataStore.read(file);
                VmEntry entry = new VmEntry(metadata.vmId(),
                        VmPaths.of(config.stateDir(), config.socketDir(), metadata.vmId()));
                entry.publish(metadata.withoutProcess().withStatus(VmStatus.DESTROYED, metadata.detail()));
                vms.put(metadata.vmId(), entry);
            } catch (IOException e) {
                log.error("cannot read the record of a destroyed VM {}: {}", file, e.getMessage());
            }
        }
    }

    /** Loads one VM directory and returns the adopted process, if any. */
    private Optional<FirecrackerProcess> recoverVm(VmPaths paths) throws InterruptedException {
        String vmId = paths.vmId();
        if (vms.containsKey(vmId)) {
            List<String> leftovers = FileTrees.deleteTree(paths.dir());
            log.info("vm '{}': removed the directory of a destroyed VM{}", vmId,
                    leftovers.isEmpty() ? "" : "; still left: " + leftovers);
            return Optional.empty();
        }
        if (!Files.exists(paths.metadataFile())) {
            // A create crashed before it wrote the record, so nothing refers to the directory.
            List<String> leftovers = FileTrees.deleteTree(paths.dir());
            log.warn("vm '{}': removed {} because it has no vm.json{}", vmId, paths.dir(),
                    leftovers.isEmpty() ? "" : "; still left: " + leftovers);
            return Optional.empty();
        }

        VmMetadata metadata;
        try {
            metadata = MetadataStore.read(paths.metadataFile());
        } catch (IOException e) {
            log.error("vm '{}': skipped, its record cannot be read ({}); fix or remove {}", vmId, e.getMessage(),
                    paths.dir());
            return Optional.empty();
        }
        deletePartialSnapshots(vmId, paths);
        RootfsSwap.recover(paths, metadata.restoreInProgress());
        metadata = metadata.withRestoreInProgress(false);

        VmEntry entry = new VmEntry(vmId, paths);
        if (metadata.process() != null) {
            Optional<ProcessHandle> handle = ProcessScanner.findRecorded(metadata.process().pid(),
                    metadata.process().socket(), metadata.process().startedAt());
            if (handle.isPresent()) {
                VmMetadata.ProcessRecord record = metadata.process();
                entry.process = FirecrackerProcess.adopt(vmId, handle.get(), record.startedAt(), record.socket(),
                        record.slot(), paths.vmmLog());
                metadata = reconcile(vmId, entry.process, metadata);
            } else {
                metadata = processGone(paths, metadata);
            }
        }

        persist(entry, metadata);
        vms.put(vmId, entry);
        if (entry.process != null) {
            watch.accept(entry, entry.process);
        }
        log.info("vm '{}' recovered: {}{}", vmId, metadata.status().wireName(),
                entry.process == null ? "" : ", adopted Firecracker pid " + entry.process.pid());
        return Optional.ofNullable(entry.process);
    }

    /**
     * Brings an adopted VM back to its recorded status when a provider crash left it in another
     * instance state. A created VM whose guest already booted (the crash came between
     * {@code InstanceStart} and the record) takes the status of its instance state.
     */
    private VmMetadata reconcile(String vmId, FirecrackerProcess process, VmMetadata metadata)
            throws InterruptedException {
        String state;
        try {
            ApiResponse response = process.api().send(FirecrackerRequests.describeInstance(), config.apiTimeout());
            state = JSON.readTree(response.body()).path("state").asText("");
        } catch (FirecrackerApiException | IOException e) {
            // The process is ours, so it stays adopted: destroy can still end it.
            log.warn("vm '{}': adopted Firecracker pid {} but GET / failed: {}", vmId, process.pid(), e.getMessage());
            return metadata.withStatus(metadata.status(), "adopted after a provider restart; the API did not answer: "
                    + e.getMessage());
        }

        try {
            VmStatus recorded = metadata.status();
            if (recorded == VmStatus.RUNNING && "Paused".equals(state)) {
                log.warn("vm '{}' (pid {}): VM was paused but is recorded running; resuming it", vmId, process.pid());
                process.api().send(FirecrackerRequests.resume(), config.apiTimeout());
            } else if (recorded == VmStatus.STOPPED && "Running".equals(state)) {
                log.warn("vm '{}' (pid {}): VM was running but is recorded stopped; pausing it", vmId, process.pid());
                process.api().send(FirecrackerRequests.pause(), config.apiTimeout());
            } else if (recorded == VmStatus.CREATED && !"Not started".equals(state)) {
                VmStatus actual = "Running".equals(state) ? VmStatus.RUNNING : VmStatus.STOPPED;
                log.warn("vm '{}' (pid {}): recorded created but the instance state is '{}'; now {}", vmId,
                        process.pid(), state, actual.wireName());
                return metadata.withStatus(actual, "adopted with instance state '" + state + "'");
            } else if (recorded != VmStatus.CREATED && "Not started".equals(state)) {
                log.warn("vm '{}' (pid {}): recorded {} but the guest never started", vmId, process.pid(),
                        recorded.wireName());
                return metadata.withStatus(recorded, "adopted with instance state 'Not started'");
            }
            return metadata;
        } catch (FirecrackerApiException e) {
            log.warn("vm '{}' (pid {}): cannot bring the instance state '{}' back to {}: {}", vmId, process.pid(),
                    state, metadata.status().wireName(), e.getMessage());
            return metadata.withStatus(metadata.status(), "adopted with instance state '" + state + "'");
        }
    }

    private static VmMetadata processGone(VmPaths paths, VmMetadata metadata) {
        VmMetadata.ProcessRecord record = metadata.process();
        try {
            Files.deleteIfExists(record.socket());
        } catch (IOException e) {
            log.warn("vm '{}': cannot remove stale socket {}: {}", paths.vmId(), record.socket(), e.toString());
        }
        VmStatus status = metadata.status() == VmStatus.CREATED ? VmStatus.CREATED : VmStatus.STOPPED;
        String reason = "Firecracker ended: process " + record.pid() + " ended while the provider was not running";
        log.warn("vm '{}': {}", paths.vmId(), reason);
        return metadata.withoutProcess().withStatus(status, reason);
    }

    private void endOrphans(Set<Long> adopted) throws InterruptedException {
        for (ProcessScanner.FirecrackerProcessInfo orphan : ProcessScanner.processesIn(config.socketDir())) {
            if (adopted.contains(orphan.pid())) {
                continue;
            }
            Optional<ProcessHandle> handle = ProcessHandle.of(orphan.pid());
            if (handle.isEmpty()) {
                continue;
            }
            log.warn("ending Firecracker pid {} with API socket {}: no VM record claims it", orphan.pid(),
                    orphan.socket());
            FirecrackerProcess process = FirecrackerProcess.adopt("(orphan)", handle.get(),
                    handle.get().info().startInstant().orElse(Instant.now()), orphan.socket(), 0,
                    Path.of("/dev/null"));
            if (process.terminate(null, config.apiTimeout(), config.stopTimeout())
                    == FirecrackerProcess.Termination.STILL_ALIVE) {
                log.error("Firecracker pid {} is still alive after SIGKILL", orphan.pid());
            }
        }
    }

    /** Removes socket files that no adopted process uses. Firecracker leaves them behind when it exits. */
    private void deleteUnusedSockets(Set<Path> adoptedSockets) {
        for (Path file : listFiles(config.socketDir(), FirecrackerSocketDir.SOCKET_SUFFIX)) {
            if (adoptedSockets.contains(file)) {
                continue;
            }
            try {
                Files.deleteIfExists(file);
                log.info("removed unused API socket {}", file);
            } catch (IOException e) {
                log.warn("cannot remove unused API socket {}: {}", file, e.toString());
            }
        }
    }

    private static void deletePartialSnapshots(String vmId, VmPaths paths) {
        for (Path file : list(paths.snapshotsDir(), null)) {
            if (VmPaths.isPartial(file)) {
                try {
                    Files.deleteIfExists(file);
                    log.info("vm '{}': deleted {} left by an interrupted snapshot", vmId, file);
                } catch (IOException e) {
                    log.warn("vm '{}': cannot delete {}: {}", vmId, file, e.toString());
                }
            }
        }
    }

    private static void persist(VmEntry entry, VmMetadata metadata) {
        try {
            MetadataStore.write(entry.paths.metadataFile(), metadata);
        } catch (IOException e) {
            log.error("vm '{}': cannot write {}: {}", entry.vmId, entry.paths.metadataFile(), e.toString());
        }
        entry.publish(metadata);
    }

    private static boolean isVmId(String name) {
        try {
            ResourceIds.requireVmId(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static List<Path> listDirectories(Path dir) {
        return list(dir, null).stream().filter(Files::isDirectory).toList();
    }

    /** Lists the entries of {@code dir} whose names end with {@code suffix}; sockets count, only directories do not. */
    private static List<Path> listFiles(Path dir, String suffix) {
        return list(dir, suffix).stream().filter(path -> !Files.isDirectory(path)).toList();
    }

    private static List<Path> list(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            List<Path> result = new ArrayList<>();
            for (Path entry : entries) {
                if (suffix == null || entry.getFileName().toString().endsWith(suffix)) {
                    result.add(entry);
                }
            }
            result.sort(null);
            return result;
        } catch (IOException e) {
            throw new FirecrackerStartupException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
