package io.tangle.microvm.provider.firecracker;

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
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link VmRuntime} that runs each VM in its own Firecracker process, controlled through the
 * Firecracker REST API on a Unix socket: one process and one directory per VM under the state
 * directory (layout in {@link VmPaths}), and its API socket in the short {@link FirecrackerSocketDir}.
 *
 * <p>Lifecycle mapping: create starts Firecracker and configures the machine, boot source and
 * root drive, and the guest boots at the first start ({@code InstanceStart}). Stop pauses the VM
 * ({@code PATCH /vm Paused}), and the process and guest memory stay, so start resumes it. Snapshot
 * writes a Full snapshot, pausing a running VM around it, and restore loads one into a fresh
 * process. Destroy sends {@code SendCtrlAltDel} so the guest can shut down, then ends the process
 * with SIGTERM and SIGKILL, each step bounded, and deletes the VM's files. A Firecracker process
 * that exits on its own is noticed, and its VM becomes {@code stopped} with the reason in
 * {@link VmView#detail()}. The next start boots it again from its disk.
 *
 * <p>Each VM has its own lock, held for a whole operation, and queries never take it. Every
 * record change is written to the VM's {@code vm.json}, so a provider started over the same state
 * directory adopts the processes that still run ({@link StateRecovery}).
 *
 * <p>{@link #close()} stops watching but leaves the processes running, so an operator restart
 * adopts them. {@link #shutdownAll(Duration)} ends them.
 */
public final class FirecrackerVmProvider implements VmRuntime {

    public static final String NAME = "firecracker";

    /** Most bytes {@link #consoleTail} returns. */
    public static final int CONSOLE_TAIL_MAX_BYTES = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(FirecrackerVmProvider.class);

    private final FirecrackerConfig config;
    private final StateDirLock stateLock;
    private final FirecrackerLauncher launcher;
    private final SnapshotWriter snapshotWriter;
    private final ConcurrentMap<String, VmEntry> vms = new ConcurrentHashMap<>();
    private final ExecutorService watchers = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean closed;

    private FirecrackerVmProvider(FirecrackerConfig config, StateDirLock stateLock) {
        this.config = config;
        this.stateLock = stateLock;
        this.launcher = new FirecrackerLauncher(config);
        this.snapshotWriter = new SnapshotWriter(config);
    }

    /**
     * Starts the provider: locks the state directory, prepares the socket directory, and adopts
     * or ends the Firecracker processes of an earlier run. A missing binary, kernel or rootfs is
     * only logged here, and reported by the first create.
     *
     * @throws FirecrackerStartupException when a directory cannot be prepared or another provider
     *     uses the state directory. The message states what to do.
     */
    public static FirecrackerVmProvider start(FirecrackerConfig config) {
        try {
            Files.createDirectories(config.stateDir());
        } catch (IOException e) {
            throw new FirecrackerStartupException("cannot create the state directory " + config.stateDir() + " ("
                    + FirecrackerConfig.STATE_DIR + "): " + e.getMessage(), e);
        }

        StateDirLock lock = StateDirLock.acquire(config.stateDir(), "Firecracker", FirecrackerConfig.STATE_DIR,
                FirecrackerStartupException::new);
        FirecrackerVmProvider provider = new FirecrackerVmProvider(config, lock);
        try {
            FirecrackerSocketDir.prepare(config.socketDir(), config.stateDir());
            new StateRecovery(config, provider.vms, provider::watch).run();
        } catch (IOException e) {
            provider.close();
            throw new FirecrackerStartupException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            provider.close();
            throw new FirecrackerStartupException("Firecracker provider start was interrupted", e);
        } catch (RuntimeException e) {
            provider.close();
            throw e;
        }

        Prerequisites.missing(config).ifPresent(problem -> log.warn("{}; creates will fail until this is fixed", problem));
        log.info("Firecracker provider started: binary {}, state directory {}, sockets in {}, {} vCPU, {} MiB, rootfs "
                + "{}, {} VMs known", config.binary(), config.stateDir(), config.socketDir(), config.vcpuCount(),
                config.memSizeMib(), config.rootfsReadOnly() ? "shared read-only" : "copied per VM", provider.vms.size());
        return provider;
    }

    @Override
    public String name() {
        return NAME;
    }

    public FirecrackerConfig config() {
        return config;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The id is reserved before any work, so a concurrent create of the same id fails at once
     * and never starts a second process. A failed create kills its process and removes its socket
     * and directory, and leaves no record.
     */
    @Override
    public void createVm(String vmId) {
        VmEntry entry = new VmEntry(vmId, VmPaths.of(config.stateDir(), config.socketDir(), vmId));
        entry.lock.lock();
        try {
            VmEntry existing = vms.putIfAbsent(vmId, entry);
            if (existing != null) {
                VmStatus status = existing.status();
                throw new VmAlreadyExistsException(vmId, status == null ? VmStatus.CREATED : status);
            }
            VmTransitions.next(vmId, null, VmOperation.CREATE);

            VmCreation creation = new VmCreation(config, launcher, entry.paths);
            try {
                VmMetadata metadata = creation.run();
                entry.process = creation.process();
                entry.publish(metadata);
                watch(entry, entry.process);
            } catch (LaunchException | IOException | RuntimeException e) {
                abandonCreate(entry, creation);
                String step = e instanceof LaunchException launch ? launch.step() : creation.step();
                log.warn("vm '{}' create_vm failed at step '{}': {}", vmId, step, e.getMessage());
                throw new VmProviderException("create of vm '" + vmId + "' failed at step '" + step + "': "
                        + e.getMessage(), vmId, null, VmOperation.CREATE, e);
            } catch (InterruptedException e) {
                abandonCreate(entry, creation);
                Thread.currentThread().interrupt();
                throw new VmProviderException("create of vm '" + vmId + "' was interrupted", vmId, null,
                        VmOperation.CREATE, e);
            }
            log.info("vm '{}' created in {} (Firecracker pid {})", vmId, entry.paths.dir(), entry.process.pid());
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
            FirecrackerProcess process = entry.process;
            boolean live = process != null && process.isAlive();
            if (current == VmStatus.STOPPED && live) {
                resume(entry, process);
            } else if (current == VmStatus.CREATED && live) {
                instanceStart(entry, process);
            } else {
                coldBoot(entry);
            }
        } finally {
            entry.lock.unlock();
        }
    }

    @Override
    public void stopVm(String vmId) {
        VmEntry entry = lockEntry(vmId, VmOperation.STOP);
        try {
            VmStatus next = VmTransitions.next(vmId, entry.status(), VmOperation.STOP);
            FirecrackerProcess process = requireLiveProcess(entry, VmOperation.STOP);
            apiCall(entry, VmOperation.STOP, process, "pause the VM", FirecrackerRequests.pause());
            persist(entry, entry.metadata.withStatus(next, null));
            log.info("vm '{}' stopped (paused, pid {})", vmId, process.pid());
        } finally {
            entry.lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A VM that was never started is rejected with a {@link VmProviderException}, because
     * Firecracker snapshots only a booted VM. The in-memory provider accepts it, because it records
     * only the name. A running VM is paused for the snapshot and resumed after it, also when the
     * snapshot fails. A stopped VM stays paused.
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
                throw providerError(entry, VmOperation.SNAPSHOT, "vm '" + vmId + "' was never started, and Firecracker "
                        + "snapshots only a booted VM; start it first", null);
            }
            FirecrackerProcess process = requireLiveProcess(entry, VmOperation.SNAPSHOT);

            SnapshotInfo info;
            try {
                info = snapshotWriter.write(vmId, process, entry.paths, entry.metadata.machine(), snapshotId,
                        current == VmStatus.RUNNING);
            } catch (SnapshotWriter.SnapshotException e) {
                String message = "snapshot '" + snapshotId + "' of vm '" + vmId + "' failed at step '" + e.step()
                        + "': " + e.getMessage();
                if (e.leftPaused()) {
                    // The VM is paused now, so its status becomes stopped, and start_vm resumes it.
                    persist(entry, entry.metadata.withStatus(VmStatus.STOPPED, "paused after a failed snapshot: "
                            + e.getMessage()));
                }
                throw providerError(entry, VmOperation.SNAPSHOT, message, e);
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
     * <p>A fresh Firecracker process loads the snapshot next to the current one, which is ended
     * only once the restored VM runs, so a failed restore leaves the current VM as it was. The
     * SHA-256 digests of the snapshot files are checked first. With a writable rootfs, the
     * snapshot's rootfs copy replaces the VM's rootfs, and a failed restore puts the old one back.
     */
    @Override
    public void restoreVm(String vmId, String snapshotId) {
        VmEntry entry = lockEntry(vmId, VmOperation.RESTORE);
        try {
            VmStatus current = entry.status();
            VmStatus next = VmTransitions.next(vmId, current, VmOperation.RESTORE);
            SnapshotInfo snapshot = entry.metadata.snapshot(snapshotId)
                    .orElseThrow(() -> new SnapshotNotFoundException(vmId, current, snapshotId));
            verifySnapshotFiles(entry, snapshot);

            FirecrackerProcess previous = entry.process;
            int slot = previous != null ? 1 - previous.slot() : entry.metadata.nextSlot();
            boolean swapDisk = snapshot.disk() != null;
            if (swapDisk) {
                swapInDisk(entry, snapshot);
            }

            FirecrackerProcess restored;
            try {
                restored = launcher.startFromSnapshot(vmId, entry.paths, slot, snapshot);
            } catch (LaunchException e) {
                undoDiskSwap(entry, swapDisk);
                throw providerError(entry, VmOperation.RESTORE, "restore of vm '" + vmId + "' from snapshot '"
                        + snapshotId + "' failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                undoDiskSwap(entry, swapDisk);
                throw interrupted(entry, VmOperation.RESTORE, e);
            }

            String detail = previous == null ? null : endReplacedProcess(entry, previous);
            entry.process = restored;
            watch(entry, restored);
            persist(entry, entry.metadata.withProcess(VmMetadata.ProcessRecord.of(restored))
                    .withRestoreInProgress(false)
                    .withStatus(next, detail));
            if (swapDisk) {
                RootfsSwap.commit(entry.paths);
            }
        } finally {
            entry.lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Ends the Firecracker process: {@code SendCtrlAltDel} when the guest runs, then SIGTERM,
     * then SIGKILL, waiting up to the stop timeout after each, and the API call bounded by the API
     * timeout. Then deletes the VM's directory, snapshot files included. The record keeps the
     * snapshot names. When the process survives SIGKILL, the VM keeps its status and the error
     * reports it. Files that cannot be deleted are logged and named in the VM's detail.
     */
    @Override
    public void destroyVm(String vmId) {
        VmEntry entry = lockEntry(vmId, VmOperation.DESTROY);
        try {
            VmStatus current = entry.status();
            VmStatus next = VmTransitions.next(vmId, current, VmOperation.DESTROY);

            FirecrackerProcess process = entry.process;
            if (process != null) {
                // A paused or never booted guest cannot react to Ctrl-Alt-Del.
                ApiCall graceful = current == VmStatus.RUNNING ? FirecrackerRequests.sendCtrlAltDel() : null;
                FirecrackerProcess.Termination termination = terminate(entry, process, graceful, VmOperation.DESTROY);
                log.info("vm '{}': Firecracker pid {} ended ({})", vmId, process.pid(), termination);
                entry.process = null;
            }

            deleteSockets(entry);
            List<String> leftovers = FileTrees.deleteTree(entry.paths.dir());
            String detail = null;
            if (!leftovers.isEmpty()) {
                detail = "files left after destroy: " + leftovers;
                log.error("vm '{}': cannot delete {}; the next provider start retries", vmId, leftovers);
            }

            VmMetadata destroyed = entry.metadata.withoutProcess().withRestoreInProgress(false).withStatus(next, detail);
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

    /** Returns a snapshot's record (files, sizes, SHA-256 digests), or empty when the VM or snapshot is unknown or the VM is destroyed. */
    public Optional<SnapshotInfo> snapshotInfo(String vmId, String snapshotId) {
        VmEntry entry = vms.get(vmId);
        VmMetadata metadata = entry == null ? null : entry.metadata;
        if (metadata == null || metadata.status() == VmStatus.DESTROYED) {
            return Optional.empty();
        }
        return metadata.snapshot(snapshotId);
    }

    /** Returns the pid of the VM's Firecracker process, or empty when none runs. For diagnostics and tests. */
    public Optional<Long> processId(String vmId) {
        VmEntry entry = vms.get(vmId);
        FirecrackerProcess process = entry == null ? null : entry.process;
        return process == null ? Optional.empty() : Optional.of(process.pid());
    }

    /**
     * Returns up to the last {@code maxBytes} bytes (at most {@value #CONSOLE_TAIL_MAX_BYTES}) of the
     * VM's Firecracker output, decoded as UTF-8: the guest's serial console mixed with
     * Firecracker's own log. Returns empty when the VM is unknown, and an empty string when nothing
     * was printed or the VM was destroyed. It reads the log file without the VM lock, so an
     * operation in progress does not delay it.
     */
    public Optional<String> consoleTail(String vmId, int maxBytes) {
        VmEntry entry = vms.get(vmId);
        if (entry == null || entry.view == null) {
            return Optional.empty();
        }
        Path file = entry.paths.vmmLog();
        int limit = Math.max(0, Math.min(maxBytes, CONSOLE_TAIL_MAX_BYTES));
        try (RandomAccessFile input = new RandomAccessFile(file.toFile(), "r")) {
            long length = input.length();
            int window = (int) Math.min(length, limit);
            byte[] bytes = new byte[window];
            input.seek(length - window);
            input.readFully(bytes);
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        } catch (FileNotFoundException e) {
            // Destroyed VMs have no log, and a VM has none before its first launch wrote to it.
            return Optional.of("");
        } catch (IOException e) {
            log.warn("vm '{}': cannot read {}: {}", vmId, file, e.toString());
            return Optional.of("");
        }
    }

    /**
     * Ends every Firecracker process (as destroy does, without {@code SendCtrlAltDel}) and marks
     * the VMs {@code stopped}, except that VMs never started stay {@code created}. The VMs and their snapshots
     * stay. Waits at most {@code timeout} in total. A VM whose operation or process outlasts it is
     * logged and left as it is.
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
                } catch (TimeoutException e) {
                    log.warn("shutdownAll: a Firecracker process did not end within {} ms", timeout.toMillis());
                    shutdown.cancel(true);
                } catch (ExecutionException e) {
                    log.warn("shutdownAll: ending a Firecracker process failed", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Stops watching the processes and releases the state directory. The Firecracker processes
     * keep running, so a provider started later over the same state directory adopts them. Call
     * this after the last operation. When no process runs, the socket directory is deleted too.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long running = vms.values().stream().filter(entry -> entry.process != null && entry.process.isAlive()).count();
        watchers.shutdownNow();
        if (running == 0) {
            List<String> leftovers = FirecrackerSocketDir.deleteIfOwned(config.socketDir(), config.stateDir());
            if (!leftovers.isEmpty()) {
                log.warn("cannot delete the socket directory {}: {}", config.socketDir(), leftovers);
            }
        }
        stateLock.close();
        log.info("Firecracker provider closed; {} Firecracker processes keep running for the next provider start",
                running);
    }

    /** Frees the id of a failed create and removes what the create made. */
    private void abandonCreate(VmEntry entry, VmCreation creation) {
        entry.removed = true;
        vms.remove(entry.vmId, entry);
        entry.process = null;
        creation.abandon();
    }

    /** Boots the guest of a created VM whose configured process runs. */
    private void instanceStart(VmEntry entry, FirecrackerProcess process) {
        try {
            launcher.instanceStart(entry.vmId, process);
        } catch (LaunchException e) {
            // The launcher killed the process, so the next start launches a fresh one.
            entry.process = null;
            persist(entry, entry.metadata.withoutProcess().withStatus(VmStatus.CREATED, "start failed: "
                    + e.getMessage()));
            throw providerError(entry, VmOperation.START, e.getMessage(), e);
        } catch (InterruptedException e) {
            throw interrupted(entry, VmOperation.START, e);
        }
        persist(entry, entry.metadata.withStatus(VmStatus.RUNNING, null));
        log.info("vm '{}' started (pid {})", entry.vmId, process.pid());
    }

    /**
     * Launches a fresh, configured process and boots the guest from its disk: for a created VM
     * whose process is gone, and for a stopped VM whose process ended.
     */
    private void coldBoot(VmEntry entry) {
        FirecrackerProcess stale = entry.process;
        if (stale != null) {
            // The process exited but the watcher has not recorded it yet.
            recordExit(entry, stale);
        }

        FirecrackerProcess process;
        try {
            process = launcher.startConfigured(entry.vmId, entry.paths, entry.metadata.nextSlot(),
                    entry.metadata.machine());
            launcher.instanceStart(entry.vmId, process);
        } catch (LaunchException e) {
            throw providerError(entry, VmOperation.START, e.getMessage(), e);
        } catch (InterruptedException e) {
            throw interrupted(entry, VmOperation.START, e);
        }

        entry.process = process;
        watch(entry, process);
        persist(entry, entry.metadata.withProcess(VmMetadata.ProcessRecord.of(process))
                .withStatus(VmStatus.RUNNING, null));
        log.info("vm '{}' booted in a new Firecracker process (pid {})", entry.vmId, process.pid());
    }

    private void resume(VmEntry entry, FirecrackerProcess process) {
        apiCall(entry, VmOperation.START, process, "resume the VM", FirecrackerRequests.resume());
        persist(entry, entry.metadata.withStatus(VmStatus.RUNNING, null));
        log.info("vm '{}' resumed (pid {})", entry.vmId, process.pid());
    }

    private void apiCall(VmEntry entry, VmOperation operation, FirecrackerProcess process, String step, ApiCall call) {
        try {
            process.api().send(call, config.apiTimeout());
        } catch (FirecrackerApiException e) {
            throw providerError(entry, operation, operation.jobName() + " of vm '" + entry.vmId + "' failed at step '"
                    + step + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            throw interrupted(entry, operation, e);
        }
    }

    /**
     * Returns the VM's live Firecracker process. When the process has exited, records the exit
     * (status {@code stopped} with the reason) and throws, because the operation needs it.
     */
    private FirecrackerProcess requireLiveProcess(VmEntry entry, VmOperation operation) {
        FirecrackerProcess process = entry.process;
        if (process != null && process.isAlive()) {
            return process;
        }
        String reason = process == null ? "no Firecracker process runs for it" : process.exitDescription();
        if (process != null) {
            recordExit(entry, process);
        }
        throw providerError(entry, operation, "vm '" + entry.vmId + "' has no running Firecracker process (" + reason
                + "); start it first", null);
    }

    private void swapInDisk(VmEntry entry, SnapshotInfo snapshot) {
        persist(entry, entry.metadata.withRestoreInProgress(true));
        try {
            RootfsSwap.swapIn(entry.paths, snapshot.disk(), config.snapshotTimeout());
        } catch (IOException e) {
            undoDiskSwap(entry, true);
            throw providerError(entry, VmOperation.RESTORE, "restore of vm '" + entry.vmId + "' from snapshot '"
                    + snapshot.name() + "' failed at step 'put the snapshot's rootfs in place': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            undoDiskSwap(entry, true);
            throw interrupted(entry, VmOperation.RESTORE, e);
        }
    }

    private void undoDiskSwap(VmEntry entry, boolean swapped) {
        if (swapped) {
            RootfsSwap.rollBack(entry.paths);
            persist(entry, entry.metadata.withRestoreInProgress(false));
        }
    }

    private FirecrackerProcess.Termination terminate(VmEntry entry, FirecrackerProcess process, ApiCall graceful,
            VmOperation operation) {
        FirecrackerProcess.Termination termination;
        try {
            termination = process.terminate(graceful, config.apiTimeout(), config.stopTimeout());
        } catch (InterruptedException e) {
            throw interrupted(entry, operation, e);
        }
        if (termination == FirecrackerProcess.Termination.STILL_ALIVE) {
            throw providerError(entry, operation, "Firecracker pid " + process.pid() + " of vm '" + entry.vmId
                    + "' is still alive after SIGTERM and SIGKILL (" + config.stopTimeout().toMillis()
                    + " ms each); retry " + operation.jobName(), null);
        }
        process.deleteSocket();
        return termination;
    }

    /** Ends the process a restore replaced, and returns a note for the VM's detail when that failed. */
    private String endReplacedProcess(VmEntry entry, FirecrackerProcess previous) {
        try {
            FirecrackerProcess.Termination termination = previous.terminate(null, config.apiTimeout(),
                    config.stopTimeout());
            if (termination == FirecrackerProcess.Termination.STILL_ALIVE) {
                log.error("vm '{}': the replaced Firecracker pid {} is still alive after SIGKILL", entry.vmId,
                        previous.pid());
                return "the replaced Firecracker pid " + previous.pid() + " did not exit";
            }
            previous.deleteSocket();
            log.info("vm '{}': replaced Firecracker pid {} ended ({})", entry.vmId, previous.pid(), termination);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "ending the replaced Firecracker pid " + previous.pid() + " was interrupted";
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
            FirecrackerProcess process = entry.process;
            if (process == null) {
                return;
            }
            FirecrackerProcess.Termination termination = process.terminate(null, config.apiTimeout(),
                    config.stopTimeout());
            if (termination == FirecrackerProcess.Termination.STILL_ALIVE) {
                log.error("vm '{}': Firecracker pid {} is still alive after SIGKILL", entry.vmId, process.pid());
                return;
            }
            process.deleteSocket();
            entry.process = null;
            VmStatus status = entry.status() == VmStatus.CREATED ? VmStatus.CREATED : VmStatus.STOPPED;
            persist(entry, entry.metadata.withoutProcess().withStatus(status, "Firecracker ended by provider shutdown"));
            log.info("vm '{}': Firecracker pid {} ended by shutdownAll ({})", entry.vmId, process.pid(), termination);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            entry.lock.unlock();
        }
    }

    /** Watches {@code process} for an exit that no operation asked for. */
    void watch(VmEntry entry, FirecrackerProcess process) {
        process.exitFuture().whenCompleteAsync((ignored, error) -> onProcessExit(entry, process), watchers);
    }

    private void onProcessExit(VmEntry entry, FirecrackerProcess process) {
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

    /**
     * Records an exit that no operation requested: a started VM becomes stopped with the reason, a
     * created VM stays created. The caller holds the lock.
     */
    private void recordExit(VmEntry entry, FirecrackerProcess process) {
        String reason = process.exitDescription();
        log.warn("vm '{}': Firecracker pid {} ended on its own: {}", entry.vmId, process.pid(), reason);
        process.deleteSocket();
        entry.process = null;
        VmStatus status = entry.status() == VmStatus.CREATED ? VmStatus.CREATED : VmStatus.STOPPED;
        persist(entry, entry.metadata.withoutProcess().withStatus(status, "Firecracker ended: " + reason));
    }

    private void verifySnapshotFiles(VmEntry entry, SnapshotInfo snapshot) {
        for (SnapshotInfo.SnapshotFile file : snapshot.files()) {
            if (!Files.isRegularFile(file.path())) {
                throw providerError(entry, VmOperation.RESTORE, "file " + file.path() + " of snapshot '"
                        + snapshot.name() + "' is missing", null);
            }
            String digest;
            try {
                digest = FileTrees.sha256(file.path());
            } catch (IOException e) {
                throw providerError(entry, VmOperation.RESTORE, "cannot read file " + file.path() + " of snapshot '"
                        + snapshot.name() + "': " + e.getMessage(), e);
            }
            if (!digest.equals(file.sha256())) {
                throw providerError(entry, VmOperation.RESTORE, "file " + file.path() + " of snapshot '"
                        + snapshot.name() + "' is corrupt: SHA-256 " + digest + " differs from the recorded "
                        + file.sha256(), null);
            }
        }
    }

    private static void deleteSockets(VmEntry entry) {
        for (int slot = 0; slot <= 1; slot++) {
            Path socket = entry.paths.socket(slot);
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                log.warn("vm '{}': cannot remove socket {}: {}", entry.vmId, socket, e.toString());
            }
        }
    }

    /** Writes the record to {@code vm.json} and publishes it. A failed write is logged, and memory stays authoritative. */
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
