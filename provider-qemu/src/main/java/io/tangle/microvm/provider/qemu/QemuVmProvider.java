package io.tangle.microvm.provider.qemu;

import io.tangle.microvm.provider.support.StateDirLock;
import io.tangle.microvm.runtime.SnapshotAlreadyExistsException;
import io.tangle.microvm.runtime.SnapshotNotFoundException;
import io.tangle.microvm.runtime.VmAlreadyExistsException;
import io.tangle.microvm.runtime.VmNotFoundException;
import io.tangle.microvm.runtime.VmOperation;
import io.tangle.microvm.runtime.VmProviderException;
import io.tangle.microvm.runtime.VmRuntime;
import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmTransitions;
import io.tangle.microvm.runtime.VmView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link VmRuntime} that runs each VM as a QEMU {@code microvm} guest: one QEMU process and one
 * directory per VM under the state directory, and its QMP and console sockets in the short
 * {@link QemuSocketDir} of the state directory (layout in {@link VmPaths}).
 *
 * <p>Lifecycle mapping: start boots the guest (or resumes a stopped one). Stop pauses it with QMP
 * {@code stop}, and the process and guest memory stay. Snapshot writes the guest's full state to a
 * file, restore replaces the guest with a saved one, and destroy ends the process and deletes the
 * VM's files. A guest that exits on its own is noticed and its VM becomes {@code stopped}, with
 * the exit reason in {@link VmView#detail()}. The next start boots it again.
 *
 * <p>Each VM has its own lock, held for a whole operation, and queries never take it. Every record
 * change is written to the VM's {@code vm.json}, so a provider started over the same state
 * directory adopts the guests that still run ({@link StateRecovery}).
 *
 * <p>{@link #close()} stops watching and closes the QMP and console connections but leaves the
 * guests running, so an operator restart adopts them. {@link #shutdownAll(Duration)} ends them.
 */
public final class QemuVmProvider implements VmRuntime {

    public static final String NAME = "qemu";

    private static final Logger log = LoggerFactory.getLogger(QemuVmProvider.class);

    /** The console file rotates at this size, so a VM keeps at most twice this on disk. */
    static final long CONSOLE_FILE_MAX_BYTES = 1024 * 1024;
    /** Bytes of console output kept in memory per VM for {@link #consoleTail}. */
    public static final int CONSOLE_TAIL_BYTES = 64 * 1024;

    private final QemuConfig config;
    private final Path binary;
    private final StateDirLock stateLock;
    private final QemuLauncher launcher;
    private final SnapshotWriter snapshotWriter;
    private final ConcurrentMap<String, VmEntry> vms = new ConcurrentHashMap<>();
    private final ExecutorService watchers = Executors.newVirtualThreadPerTaskExecutor();
    private volatile MachineSpec machine;
    private volatile boolean closed;
    /** Whether this provider created or checked the socket directory, so it may delete it. */
    private volatile boolean socketDirPrepared;

    private QemuVmProvider(QemuConfig config, Path binary, StateDirLock stateLock) {
        this.config = config;
        this.binary = binary;
        this.stateLock = stateLock;
        this.launcher = new QemuLauncher(config, true);
        this.snapshotWriter = new SnapshotWriter(config);
    }

    /**
     * Starts the provider: checks the QEMU binary, kernel and initrd, locks the state directory,
     * prepares its socket directory, adopts or cleans up the QEMU processes of an earlier run, and
     * resolves the accelerator.
     *
     * @throws QemuStartupException when a prerequisite is missing. The message states what to do.
     */
    public static QemuVmProvider start(QemuConfig config) {
        Path binary = QemuBinary.resolve(config.binary(), System.getenv("PATH"));
        GuestImage.requireFiles(config.kernel(), config.initrd());
        try {
            Files.createDirectories(config.stateDir());
        } catch (IOException e) {
            throw new QemuStartupException("cannot create the state directory " + config.stateDir() + " ("
                    + QemuConfig.STATE_DIR + "): " + e.getMessage(), e);
        }

        StateDirLock lock = StateDirLock.acquire(config.stateDir(), "QEMU", QemuConfig.STATE_DIR,
                QemuStartupException::new);
        QemuVmProvider provider = new QemuVmProvider(config, binary, lock);
        try {
            provider.prepareSocketDir();
            new StateRecovery(config, provider.vms, provider::watch).run();
            Accelerator accelerator = AcceleratorProbe.resolve(config, binary);
            provider.machine = MachineSpec.of(config, binary, accelerator);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            provider.close();
            throw new QemuStartupException("QEMU provider start was interrupted", e);
        } catch (RuntimeException e) {
            provider.close();
            throw e;
        }
        log.info("QEMU provider started: state directory {}, {}, {} MiB, {} vCPU, {} VMs known", config.stateDir(),
                provider.machine.accelerator().qemuName(), config.memoryMib(), config.vcpus(), provider.vms.size());
        return provider;
    }

    @Override
    public String name() {
        return NAME;
    }

    public QemuConfig config() {
        return config;
    }

    /** Returns the accelerator new guests boot with, after the probe of {@code auto}. */
    public Accelerator accelerator() {
        return machine.accelerator();
    }

    @Override
    public void createVm(String vmId) {
        VmEntry entry = new VmEntry(vmId, VmPaths.of(config.stateDir(), vmId));
        entry.lock.lock();
        try {
            VmEntry existing = vms.putIfAbsent(vmId, entry);
            if (existing != null) {
                VmStatus status = existing.status();
                throw new VmAlreadyExistsException(vmId, status == null ? VmStatus.CREATED : status);
            }
            VmTransitions.next(vmId, null, VmOperation.CREATE);

            try {
                prepareDirectory(entry);
            } catch (IOException | RuntimeException e) {
                entry.removed = true;
                vms.remove(vmId, entry);
                closeConsole(entry);
                throw new VmProviderException("create of vm '" + vmId + "' failed: cannot prepare " + entry.paths.dir()
                        + ": " + e.getMessage(), vmId, null, VmOperation.CREATE, e);
            }
            log.info("vm '{}' created in {}", vmId, entry.paths.dir());
        } finally {
            entry.lock.unlock();
        }
    }

    @Override
    public void startVm(String vmId) {
        VmEntry entry = lockEntry(vmId, VmOperation.START);
        try {
            VmStatus current = entry.status();
            VmTransitions.next(vmId, current, VmOperation.START);
            QemuProcess process = entry.process;
            if (current == VmStatus.STOPPED && process != null && process.isAlive()) {
                resume(entry, process);
            } else {
                boot(entry, current);
            }
        } finally {
            entry.lock.unlock();
        }
    }

    @Override
    public void stopVm(String vmId) {
        VmEntry entry = lockEntry(vmId, VmOperation.STOP);
        try {
            VmStatus current = entry.status();
            VmStatus next = VmTransitions.next(vmId, current, VmOperation.STOP);
            QemuProcess process = requireLiveProcess(entry, VmOperation.STOP);
            try {
                process.qmp(config.qmpTimeout()).execute("stop");
            } catch (QmpException e) {
                throw providerError(entry, VmOperation.STOP, "QMP stop failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                throw interrupted(entry, VmOperation.STOP, e);
            }
            persist(entry, entry.metadata.withStatus(next, null));
            log.info("vm '{}' stopped (paused, pid {})", vmId, process.pid());
        } finally {
            entry.lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A VM that was never booted is rejected with a {@link VmProviderException}: before the first
     * boot there is no guest state to save. The in-memory provider accepts it, because it records
     * only the name.
     */
    @Override
    public void snapshotVm(String vmId, String snapshotId) {
        VmEntry entry = lockEntry(vmId, VmOperation.SNAPSHOT);
        try {
            VmStatus current = entry.status();
            VmTransitions.next(vmId, current, VmOperation.SNAPSHOT);
            if (entry.metadata.snapshot(snapshotId).isPresent()) {
                throw new SnapshotAlreadyExistsException(vmId, current, snapshotId);
            }
            if (current == VmStatus.CREATED) {
                throw providerError(entry, VmOperation.SNAPSHOT, "vm '" + vmId + "' was never started, so there is no "
                        + "guest state to snapshot; start it first", null);
            }
            QemuProcess process = requireLiveProcess(entry, VmOperation.SNAPSHOT);

            SnapshotInfo info;
            try {
                info = snapshotWriter.write(vmId, process, entry.paths, snapshotId);
            } catch (SnapshotWriter.SnapshotException e) {
                throw providerError(entry, VmOperation.SNAPSHOT, "snapshot '" + snapshotId + "' of vm '" + vmId
                        + "' failed at step '" + e.step() + "': " + e.getMessage(), e);
            } catch (InterruptedException e) {
                throw interrupted(entry, VmOperation.SNAPSHOT, e);
            }
            persist(entry, entry.metadata.withSnapshot(info));
        } finally {
            entry.lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The new QEMU process loads the snapshot next to the current one, which is ended only once
     * the restored guest runs, so a failed restore leaves the current guest as it was. The snapshot's
     * SHA-256 digest is checked first.
     */
    @Override
    public void restoreVm(String vmId, String snapshotId) {
        VmEntry entry = lockEntry(vmId, VmOperation.RESTORE);
        try {
            VmStatus current = entry.status();
            VmStatus next = VmTransitions.next(vmId, current, VmOperation.RESTORE);
            SnapshotInfo snapshot = entry.metadata.snapshot(snapshotId)
                    .orElseThrow(() -> new SnapshotNotFoundException(vmId, current, snapshotId));
            verifySnapshotFile(entry, snapshot);

            QemuProcess previous = entry.process;
            int slot = previous != null ? 1 - previous.slot() : entry.metadata.nextSlot();
            QemuProcess restored;
            try {
                restored = launcher.restore(vmId, entry.paths, slot, snapshot.machine(), snapshot.file(),
                        entry.console, config.snapshotTimeout());
            } catch (LaunchException e) {
                throw providerError(entry, VmOperation.RESTORE, "restore of vm '" + vmId + "' from snapshot '"
                        + snapshotId + "' failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                throw interrupted(entry, VmOperation.RESTORE, e);
            }

            String detail = null;
            if (previous != null) {
                detail = endReplacedProcess(entry, previous);
            }
            entry.process = restored;
            watch(entry, restored);
            persist(entry, entry.metadata.withProcess(VmMetadata.ProcessRecord.of(restored)).withStatus(next, detail));
        } finally {
            entry.lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Ends the QEMU process (QMP {@code quit}, then SIGTERM, then SIGKILL, each bounded by the
     * stop timeout) and deletes the VM's directory, snapshot files included. The record keeps the
     * snapshot names. When the process survives SIGKILL, the VM keeps its status and the error
     * reports it. Files that cannot be deleted are logged and named in the VM's detail.
     */
    @Override
    public void destroyVm(String vmId) {
        VmEntry entry = lockEntry(vmId, VmOperation.DESTROY);
        try {
            VmStatus current = entry.status();
            VmStatus next = VmTransitions.next(vmId, current, VmOperation.DESTROY);

            QemuProcess process = entry.process;
            if (process != null) {
                QemuProcess.Termination termination = terminate(entry, process, VmOperation.DESTROY);
                log.info("vm '{}': QEMU pid {} ended ({})", vmId, process.pid(), termination);
                entry.process = null;
            }

            closeConsole(entry);
            entry.console = null;
            List<String> leftovers = FileTrees.deleteTree(entry.paths.dir());
            String detail = null;
            if (!leftovers.isEmpty()) {
                detail = "files left after destroy: " + leftovers;
                log.error("vm '{}': cannot delete {}; the next provider start retries", vmId, leftovers);
            }

            VmMetadata destroyed = entry.metadata.withoutProcess().withStatus(next, detail);
            writeTombstone(entry, destroyed);
            entry.publish(destroyed);
            log.info("vm '{}' destroyed", vmId);
        } finally {
            entry.lock.unlock();
        }
    }

    @Override
    public List<VmView> listVms() {
        List<VmView> all = new ArrayList<>();
        for (VmEntry entry : vms.values()) {
            VmView view = entry.view;
            if (view != null) {
                all.add(view);
            }
        }
        all.sort(Comparator.comparing(VmView::vmId));
        return all;
    }

    @Override
    public Optional<VmView> getVm(String vmId) {
        VmEntry entry = vms.get(vmId);
        return entry == null ? Optional.empty() : Optional.ofNullable(entry.view);
    }

    /**
     * Returns up to the last {@code maxBytes} bytes (at most {@value #CONSOLE_TAIL_BYTES}) of the
     * guest's console output, decoded as UTF-8. Returns empty when the VM is unknown, and an empty
     * string when it printed nothing or was destroyed. It does not take the VM lock, so an
     * operation in progress does not delay it.
     */
    public Optional<String> consoleTail(String vmId, int maxBytes) {
        VmEntry entry = vms.get(vmId);
        if (entry == null || entry.view == null) {
            return Optional.empty();
        }
        ConsoleLog console = entry.console;
        return Optional.of(console == null ? "" : console.tail(Math.min(maxBytes, CONSOLE_TAIL_BYTES)));
    }

    /** Returns a snapshot's record, or empty when the VM or snapshot is unknown or the VM is destroyed. */
    public Optional<SnapshotInfo> snapshotInfo(String vmId, String snapshotId) {
        VmEntry entry = vms.get(vmId);
        VmMetadata metadata = entry == null ? null : entry.metadata;
        if (metadata == null || metadata.status() == VmStatus.DESTROYED) {
            return Optional.empty();
        }
        return metadata.snapshot(snapshotId);
    }

    /** Returns the pid of the VM's QEMU process, or empty when none runs. For diagnostics and tests. */
    public Optional<Long> processId(String vmId) {
        VmEntry entry = vms.get(vmId);
        QemuProcess process = entry == null ? null : entry.process;
        return process == null ? Optional.empty() : Optional.of(process.pid());
    }

    /**
     * Ends every guest (quit, SIGTERM, SIGKILL as in destroy) and marks their VMs {@code stopped}.
     * The VMs and their snapshots stay. Waits at most {@code timeout} in total. A VM whose
     * operation or process outlasts it is logged and left as it is.
     */
    public void shutdownAll(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        List<Future<?>> shutdowns = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (VmEntry entry : vms.values()) {
                if (entry.process != null) {
                    shutdowns.add(executor.submit(() -> shutdown(entry, deadline)));
                }
            }
            for (Future<?> shutdown : shutdowns) {
                long waitMillis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
                try {
                    shutdown.get(waitMillis, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    log.warn("shutdownAll: a guest did not end within {} ms", timeout.toMillis());
                    shutdown.cancel(true);
                } catch (java.util.concurrent.ExecutionException e) {
                    log.warn("shutdownAll: ending a guest failed", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Stops watching the guests and closes their QMP and console connections. The QEMU processes
     * keep running, so a provider started later over the same state directory adopts them. An
     * operation still in progress fails once its connection closes, so call this after the last one.
     * When no guest runs, the socket directory is deleted as well.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        int running = 0;
        for (VmEntry entry : vms.values()) {
            QemuProcess process = entry.process;
            if (process != null) {
                process.closeConnections();
                running++;
            }
            closeConsole(entry);
        }
        watchers.shutdownNow();
        if (running == 0 && socketDirPrepared) {
            deleteSocketDir();
        }
        stateLock.close();
        log.info("QEMU provider closed; {} guests keep running for the next provider start", running);
    }

    private void prepareSocketDir() {
        try {
            Path socketDir = QemuSocketDir.prepare(config.stateDir());
            socketDirPrepared = true;
            log.info("QMP and console sockets of state directory {} are in {}", config.stateDir(), socketDir);
        } catch (IOException e) {
            throw new QemuStartupException(e.getMessage(), e);
        }
    }

    /** Deletes the socket directory while the state directory lock is still held, so no other provider uses it. */
    private void deleteSocketDir() {
        List<String> leftovers = QemuSocketDir.deleteIfOwned(config.stateDir());
        if (!leftovers.isEmpty()) {
            log.warn("cannot delete the socket directory {}: {}", QemuSocketDir.pathFor(config.stateDir()), leftovers);
        }
    }

    private void prepareDirectory(VmEntry entry) throws IOException {
        Path dir = entry.paths.dir();
        if (Files.exists(dir)) {
            throw new IOException("the directory already exists without a VM record; remove it or choose another id");
        }
        Files.createDirectories(entry.paths.snapshotsDir());
        entry.console = new ConsoleLog(entry.vmId, entry.paths.consoleLog(), CONSOLE_FILE_MAX_BYTES, CONSOLE_TAIL_BYTES);
        VmMetadata metadata = VmMetadata.created(entry.vmId);
        MetadataStore.write(entry.paths.metadataFile(), metadata);
        entry.publish(metadata);
    }

    private void boot(VmEntry entry, VmStatus current) {
        QemuProcess stale = entry.process;
        if (stale != null) {
            // The process exited but the watcher has not recorded it yet.
            recordExit(entry, stale);
        }

        QemuProcess process;
        try {
            process = launcher.boot(entry.vmId, entry.paths, entry.metadata.nextSlot(), machine, entry.console,
                    config.bootTimeout());
        } catch (LaunchException e) {
            throw providerError(entry, VmOperation.START, e.getMessage(), e);
        } catch (InterruptedException e) {
            throw interrupted(entry, VmOperation.START, e);
        }

        entry.process = process;
        watch(entry, process);
        persist(entry, entry.metadata.withProcess(VmMetadata.ProcessRecord.of(process))
                .withStatus(VmStatus.RUNNING, null));
    }

    /**
     * Resumes a paused guest. The run state is checked first: a guest still loading a migration
     * ({@code inmigrate}) would ignore {@code cont}, and other states cannot be resumed.
     */
    private void resume(VmEntry entry, QemuProcess process) {
        try {
            QmpClient qmp = process.qmp(config.qmpTimeout());
            String state = QmpCommands.runState(qmp.execute("query-status"));
            if ("inmigrate".equals(state)) {
                throw providerError(entry, VmOperation.START, "the guest is still loading a snapshot (run state "
                        + "inmigrate); retry start_vm when the restore finished", null);
            }
            if ("paused".equals(state) || "postmigrate".equals(state)) {
                qmp.execute("cont");
                state = QmpCommands.runState(qmp.execute("query-status"));
            }
            if (!"running".equals(state)) {
                throw providerError(entry, VmOperation.START, "cannot resume the guest: its run state is '" + state
                        + "' after cont, expected running", null);
            }
        } catch (QmpException e) {
            throw providerError(entry, VmOperation.START, "resume failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            throw interrupted(entry, VmOperation.START, e);
        }
        persist(entry, entry.metadata.withStatus(VmStatus.RUNNING, null));
        log.info("vm '{}' resumed (pid {})", entry.vmId, process.pid());
    }

    /**
     * Returns the VM's live QEMU process. When the process has exited, records the exit (status
     * {@code stopped} with the reason) and throws, because the operation needs the guest.
     */
    private QemuProcess requireLiveProcess(VmEntry entry, VmOperation operation) {
        QemuProcess process = entry.process;
        if (process != null && process.isAlive()) {
            return process;
        }
        String reason = process == null ? "no QEMU process runs for it" : process.exitDescription();
        if (process != null) {
            recordExit(entry, process);
        }
        throw providerError(entry, operation, "vm '" + entry.vmId + "' has no running guest (" + reason
                + "); start it first", null);
    }

    private QemuProcess.Termination terminate(VmEntry entry, QemuProcess process, VmOperation operation) {
        QemuProcess.Termination termination;
        try {
            termination = process.terminate(config.qmpTimeout(), config.stopTimeout());
        } catch (InterruptedException e) {
            throw interrupted(entry, operation, e);
        }
        if (termination == QemuProcess.Termination.STILL_ALIVE) {
            throw providerError(entry, operation, "QEMU pid " + process.pid() + " of vm '" + entry.vmId
                    + "' is still alive after quit, SIGTERM and SIGKILL (" + config.stopTimeout().toMillis()
                    + " ms each); retry " + operation.jobName(), null);
        }
        deleteSockets(entry.vmId, process);
        return termination;
    }

    /** Ends the process a restore replaced; returns a note for the VM's detail when that failed. */
    private String endReplacedProcess(VmEntry entry, QemuProcess previous) {
        try {
            QemuProcess.Termination termination = previous.terminate(config.qmpTimeout(), config.stopTimeout());
            if (termination == QemuProcess.Termination.STILL_ALIVE) {
                log.error("vm '{}': the replaced QEMU pid {} is still alive after SIGKILL", entry.vmId, previous.pid());
                return "the replaced QEMU pid " + previous.pid() + " did not exit";
            }
            deleteSockets(entry.vmId, previous);
            log.info("vm '{}': replaced QEMU pid {} ended ({})", entry.vmId, previous.pid(), termination);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "ending the replaced QEMU pid " + previous.pid() + " was interrupted";
        }
    }

    private void shutdown(VmEntry entry, Instant deadline) {
        try {
            long waitMillis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
            if (!entry.lock.tryLock(waitMillis, TimeUnit.MILLISECONDS)) {
                log.warn("vm '{}': an operation is still running; not ended by shutdownAll", entry.vmId);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            QemuProcess process = entry.process;
            if (process == null) {
                return;
            }
            QemuProcess.Termination termination = process.terminate(config.qmpTimeout(), config.stopTimeout());
            if (termination == QemuProcess.Termination.STILL_ALIVE) {
                log.error("vm '{}': QEMU pid {} is still alive after SIGKILL", entry.vmId, process.pid());
                return;
            }
            deleteSockets(entry.vmId, process);
            entry.process = null;
            VmStatus status = entry.status() == VmStatus.CREATED ? VmStatus.CREATED : VmStatus.STOPPED;
            persist(entry, entry.metadata.withoutProcess().withStatus(status, "guest ended by provider shutdown"));
            log.info("vm '{}': QEMU pid {} ended by shutdownAll ({})", entry.vmId, process.pid(), termination);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            entry.lock.unlock();
        }
    }

    /** Watches {@code process} for an exit that no operation asked for. */
    void watch(VmEntry entry, QemuProcess process) {
        process.exitFuture().whenCompleteAsync((ignored, error) -> onProcessExit(entry, process), watchers);
    }

    private void onProcessExit(VmEntry entry, QemuProcess process) {
        if (closed || process.isExitExpected()) {
            return;
        }
        entry.lock.lock();
        try {
            if (!closed && entry.process == process && !process.isExitExpected()) {
                recordExit(entry, process);
            }
        } finally {
            entry.lock.unlock();
        }
    }

    /** Records an exit that no operation requested: the VM becomes stopped with the reason. The caller holds the lock. */
    private void recordExit(VmEntry entry, QemuProcess process) {
        String reason = process.exitDescription();
        log.warn("vm '{}': QEMU pid {} ended on its own: {}", entry.vmId, process.pid(), reason);
        process.closeConnections();
        deleteSockets(entry.vmId, process);
        entry.process = null;
        VmStatus status = entry.status() == VmStatus.CREATED ? VmStatus.CREATED : VmStatus.STOPPED;
        persist(entry, entry.metadata.withoutProcess().withStatus(status, "guest ended: " + reason));
    }

    private void verifySnapshotFile(VmEntry entry, SnapshotInfo snapshot) {
        if (!Files.isRegularFile(snapshot.file())) {
            throw providerError(entry, VmOperation.RESTORE, "snapshot file " + snapshot.file() + " of snapshot '"
                    + snapshot.name() + "' is missing", null);
        }
        String digest;
        try {
            digest = SnapshotWriter.sha256(snapshot.file());
        } catch (IOException e) {
            throw providerError(entry, VmOperation.RESTORE, "cannot read snapshot file " + snapshot.file() + ": "
                    + e.getMessage(), e);
        }
        if (!digest.equals(snapshot.sha256())) {
            throw providerError(entry, VmOperation.RESTORE, "snapshot file " + snapshot.file() + " is corrupt: SHA-256 "
                    + digest + " differs from the recorded " + snapshot.sha256(), null);
        }
    }

    /** Writes the record to {@code vm.json} and publishes it. A failed write is logged; memory stays authoritative. */
    private void persist(VmEntry entry, VmMetadata metadata) {
        try {
            MetadataStore.write(entry.paths.metadataFile(), metadata);
        } catch (IOException e) {
            log.error("vm '{}': cannot write {}; a provider restart will not see this change: {}", entry.vmId,
                    entry.paths.metadataFile(), e.toString());
        }
        entry.publish(metadata);
    }

    private void writeTombstone(VmEntry entry, VmMetadata destroyed) {
        try {
            MetadataStore.write(entry.paths.tombstone(), destroyed);
        } catch (IOException e) {
            log.error("vm '{}': cannot write {}; after a provider restart the id is unknown and could be created "
                    + "again: {}", entry.vmId, entry.paths.tombstone(), e.toString());
        }
    }

    private VmEntry lockEntry(String vmId, VmOperation operation) {
        VmEntry entry = vms.get(vmId);
        if (entry == null) {
            throw new VmNotFoundException(vmId, operation);
        }
        entry.lock.lock();
        if (entry.removed || entry.metadata == null) {
            entry.lock.unlock();
            throw new VmNotFoundException(vmId, operation);
        }
        return entry;
    }

    private static void closeConsole(VmEntry entry) {
        ConsoleLog console = entry.console;
        if (console != null) {
            console.close();
        }
    }

    private static void deleteSockets(String vmId, QemuProcess process) {
        for (Path socket : List.of(process.sockets().qmp(), process.sockets().console())) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                log.warn("vm '{}': cannot remove socket {}: {}", vmId, socket, e.toString());
            }
        }
    }

    private static VmProviderException providerError(VmEntry entry, VmOperation operation, String message,
            Throwable cause) {
        log.warn("vm '{}' {} failed: {}", entry.vmId, operation.jobName(), message);
        return new VmProviderException(message, entry.vmId, entry.status(), operation, cause);
    }

    private static VmProviderException interrupted(VmEntry entry, VmOperation operation, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new VmProviderException(operation.jobName() + " of vm '" + entry.vmId + "' was interrupted",
                entry.vmId, entry.status(), operation, e);
    }
}
