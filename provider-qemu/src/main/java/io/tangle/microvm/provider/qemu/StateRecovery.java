package io.tangle.microvm.provider.qemu;

import io.tangle.microvm.runtime.ResourceIds;
import io.tangle.microvm.runtime.VmStatus;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 *   <li>destroyed VMs come back from their records in {@code destroyed/}, so their ids stay used;
 *   <li>a VM whose recorded QEMU process still runs is adopted: the pid must be alive, started at
 *       the recorded time and have the recorded QMP socket on its command line;
 *   <li>a VM whose process died becomes {@code stopped} with the reason;
 *   <li>QEMU processes with a QMP socket in the state directory's {@link QemuSocketDir} that no
 *       record claims are ended (SIGTERM, then SIGKILL) and logged.
 * </ul>
 */
final class StateRecovery {

    private static final Logger log = LoggerFactory.getLogger(StateRecovery.class);

    private final QemuConfig config;
    private final ConcurrentMap<String, VmEntry> vms;
    private final BiConsumer<VmEntry, QemuProcess> watch;

    StateRecovery(QemuConfig config, ConcurrentMap<String, VmEntry> vms, BiConsumer<VmEntry, QemuProcess> watch) {
        this.config = config;
        this.vms = vms;
        this.watch = watch;
    }

    void run() throws InterruptedException {
        Path stateDir = config.stateDir();
        loadDestroyed(stateDir.resolve(VmPaths.DESTROYED_DIR));

        Set<Long> adopted = new HashSet<>();
        for (Path dir : listDirectories(stateDir)) {
            String name = dir.getFileName().toString();
            if (!isVmId(name) || name.equals(VmPaths.DESTROYED_DIR)) {
                continue;
            }
            recoverVm(VmPaths.of(stateDir, name)).ifPresent(adopted::add);
        }

        endOrphans(stateDir, adopted);
    }

    private void loadDestroyed(Path destroyedDir) {
        for (Path file : listFiles(destroyedDir, ".json")) {
            try {
                VmMetadata metadata = MetadataStore.read(file);
                VmEntry entry = new VmEntry(metadata.vmId(), VmPaths.of(config.stateDir(), metadata.vmId()));
                entry.publish(metadata.withoutProcess().withStatus(VmStatus.DESTROYED, metadata.detail()));
                vms.put(metadata.vmId(), entry);
            } catch (IOException e) {
                log.error("cannot read the record of a destroyed VM {}: {}", file, e.getMessage());
            }
        }
    }

    /** Loads one VM directory; returns the pid of an adopted process. */
    private Optional<Long> recoverVm(VmPaths paths) throws InterruptedException {
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

        VmEntry entry = new VmEntry(vmId, paths);
        try {
            entry.console = new ConsoleLog(vmId, paths.consoleLog(), QemuVmProvider.CONSOLE_FILE_MAX_BYTES,
                    QemuVmProvider.CONSOLE_TAIL_BYTES);
        } catch (IOException e) {
            log.warn("vm '{}': cannot open the console log {}: {}", vmId, paths.consoleLog(), e.toString());
        }

        Optional<Long> adoptedPid = Optional.empty();
        if (metadata.process() != null) {
            Optional<QemuProcess> process = adopt(entry, metadata);
            if (process.isPresent()) {
                entry.process = process.get();
                adoptedPid = Optional.of(process.get().pid());
                metadata = reconcileRunState(vmId, process.get(), metadata);
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
                adoptedPid.map(pid -> ", adopted QEMU pid " + pid).orElse(""));
        return adoptedPid;
    }

    private Optional<QemuProcess> adopt(VmEntry entry, VmMetadata metadata) throws InterruptedException {
        VmMetadata.ProcessRecord record = metadata.process();
        Optional<ProcessHandle> handle = ProcessScanner.findRecorded(record.pid(), record.qmpSocket(), record.startedAt());
        if (handle.isEmpty()) {
            return Optional.empty();
        }

        QemuProcess process = QemuProcess.adopt(entry.vmId, handle.get(), record.startedAt(),
                new VmPaths.LaunchSockets(record.qmpSocket(), record.consoleSocket()), record.machine(),
                entry.paths.qemuLog(), record.slot());
        Instant deadline = Instant.now().plus(config.qmpTimeout());
        try {
            process.connectQmp(deadline, config.qmpTimeout());
        } catch (QmpException e) {
            // The process is ours, so it stays adopted: destroy can still end it, and later
            // operations reconnect.
            log.warn("vm '{}': adopted QEMU pid {} but QMP did not respond: {}", entry.vmId, record.pid(),
                    e.getMessage());
        }
        if (entry.console != null) {
            try {
                process.attachConsole(deadline, entry.console);
            } catch (IOException e) {
                log.warn("vm '{}': adopted QEMU pid {} but its console did not connect: {}", entry.vmId,
                        record.pid(), e.toString());
            }
        }
        return Optional.of(process);
    }

    /**
     * Brings an adopted guest back to the recorded status when a provider crash left it in
     * another run state, such as paused in the middle of a snapshot of a running VM.
     */
    private VmMetadata reconcileRunState(String vmId, QemuProcess process, VmMetadata metadata)
            throws InterruptedException {
        Optional<QmpClient> qmp = process.connectedQmp();
        if (qmp.isEmpty()) {
            return metadata.withStatus(metadata.status(), "adopted after a provider restart; QMP did not answer");
        }
        try {
            String state = QmpCommands.runState(qmp.get().execute("query-status"));
            boolean running = "running".equals(state);
            if (metadata.status() == VmStatus.RUNNING && !running
                    && ("paused".equals(state) || "postmigrate".equals(state))) {
                log.warn("vm '{}' (pid {}): guest was {} but is recorded running; resuming it", vmId, process.pid(),
                        state);
                qmp.get().execute("cont");
            } else if (metadata.status() == VmStatus.STOPPED && running) {
                log.warn("vm '{}' (pid {}): guest was running but is recorded stopped; pausing it", vmId,
                        process.pid());
                qmp.get().execute("stop");
            } else if (metadata.status() == VmStatus.RUNNING && !running) {
                return metadata.withStatus(metadata.status(), "adopted with QEMU run state '" + state + "'");
            }
            return metadata;
        } catch (QmpException e) {
            log.warn("vm '{}' (pid {}): cannot check the run state after adoption: {}", vmId, process.pid(),
                    e.getMessage());
            return metadata;
        }
    }

    private static VmMetadata processGone(VmPaths paths, VmMetadata metadata) {
        VmMetadata.ProcessRecord record = metadata.process();
        for (Path socket : List.of(record.qmpSocket(), record.consoleSocket())) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                log.warn("vm '{}': cannot remove stale socket {}: {}", paths.vmId(), socket, e.toString());
            }
        }
        VmStatus status = metadata.status() == VmStatus.CREATED ? VmStatus.CREATED : VmStatus.STOPPED;
        String reason = "guest ended: QEMU process " + record.pid() + " ended while the provider was not running";
        log.warn("vm '{}': {}", paths.vmId(), reason);
        return metadata.withoutProcess().withStatus(status, reason);
    }

    private void endOrphans(Path stateDir, Set<Long> adopted) throws InterruptedException {
        for (ProcessScanner.QemuProcessInfo orphan : ProcessScanner.qemuProcessesOf(stateDir)) {
            if (adopted.contains(orphan.pid())) {
                continue;
            }
            Optional<ProcessHandle> handle = ProcessHandle.of(orphan.pid());
            if (handle.isEmpty()) {
                continue;
            }
            log.warn("ending QEMU pid {} with QMP socket {}: no VM record claims it", orphan.pid(), orphan.qmpSocket());
            handle.get().destroy();
            if (!awaitExit(handle.get(), config.stopTimeout())) {
                log.warn("QEMU pid {} ignored SIGTERM for {} ms; sending SIGKILL", orphan.pid(),
                        config.stopTimeout().toMillis());
                handle.get().destroyForcibly();
                if (!awaitExit(handle.get(), config.stopTimeout())) {
                    log.error("QEMU pid {} is still alive after SIGKILL", orphan.pid());
                }
            }
        }
    }

    private static boolean awaitExit(ProcessHandle handle, Duration timeout) throws InterruptedException {
        try {
            handle.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return !handle.isAlive();
        }
    }

    private static void deletePartialSnapshots(String vmId, VmPaths paths) {
        for (Path file : listFiles(paths.snapshotsDir(), null)) {
            String name = file.getFileName().toString();
            if (name.endsWith(".partial") || name.endsWith(".written") || name.endsWith(".failed")) {
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

    private static List<Path> listFiles(Path dir, String suffix) {
        return list(dir, suffix).stream().filter(Files::isRegularFile).toList();
    }

    private static List<Path> list(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            List<Path> result = new java.util.ArrayList<>();
            for (Path entry : entries) {
                if (suffix == null || entry.getFileName().toString().endsWith(suffix)) {
                    result.add(entry);
                }
            }
            result.sort(null);
            return result;
        } catch (IOException e) {
            throw new QemuStartupException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
