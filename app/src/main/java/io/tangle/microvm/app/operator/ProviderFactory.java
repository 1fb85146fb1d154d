package io.tangle.microvm.app.operator;

import io.tangle.microvm.app.config.ConfigException;
import io.tangle.microvm.app.config.ProviderKind;
import io.tangle.microvm.provider.firecracker.FirecrackerConfig;
import io.tangle.microvm.provider.firecracker.FirecrackerConfigException;
import io.tangle.microvm.provider.firecracker.FirecrackerStartupException;
import io.tangle.microvm.provider.firecracker.FirecrackerVmProvider;
import io.tangle.microvm.provider.qemu.QemuConfig;
import io.tangle.microvm.provider.qemu.QemuConfigException;
import io.tangle.microvm.provider.qemu.QemuStartupException;
import io.tangle.microvm.provider.qemu.QemuVmProvider;
import io.tangle.microvm.runtime.VmView;
import io.tangle.microvm.runtime.inmemory.InMemoryVmProvider;
import io.tangle.microvm.store.SnapshotRecord;
import io.tangle.microvm.store.SqliteStore;
import io.tangle.microvm.store.VmRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Starts the provider that {@code MICROVM_PROVIDER} selects. */
public final class ProviderFactory {

    /** How long ending all guests may take when a local dev chain goes away. */
    private static final Duration GUEST_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private ProviderFactory() {
    }

    /**
     * Starts the provider. The in-memory provider starts from the VM records in the store, so its
     * VMs survive a restart. The QEMU provider recovers its guests from its own state directory.
     *
     * @param serviceDir a directory of this service only, for provider state
     */
    public static ProviderHandle start(ProviderKind kind, Map<String, String> environment, Path serviceDir,
            SqliteStore store) {
        return switch (kind) {
            case IN_MEMORY -> {
                List<VmView> views = store.listVms().stream().map(VmRecord::toView).toList();
                yield ProviderHandle.plain(new InMemoryVmProvider(views));
            }
            case QEMU -> startQemu(environment, serviceDir.resolve("qemu"));
            case FIRECRACKER -> startFirecracker(environment, serviceDir.resolve("firecracker"));
        };
    }

    private static ProviderHandle startFirecracker(Map<String, String> environment, Path defaultStateDir) {
        FirecrackerVmProvider firecracker;
        try {
            firecracker = FirecrackerVmProvider.start(FirecrackerConfig.fromEnvironment(environment, defaultStateDir));
        } catch (FirecrackerConfigException | FirecrackerStartupException e) {
            throw new ConfigException(e.getMessage());
        }

        // A Firecracker snapshot is several files (state, memory, and the disk copy of a writable
        // rootfs), so the stored digest lists one SHA-256 per file, in the order of the file list.
        return new ProviderHandle(firecracker,
                vmId -> firecracker.consoleTail(vmId, FirecrackerVmProvider.CONSOLE_TAIL_MAX_BYTES),
                (vmId, snapshotId) -> firecracker.snapshotInfo(vmId, snapshotId).map(info -> new SnapshotRecord(
                        info.name(), info.createdAt(), info.sizeBytes(),
                        info.files().stream().map(file -> file.path().toString()).toList(),
                        info.files().stream().map(file -> "sha256:" + file.sha256())
                                .collect(Collectors.joining(",")))),
                () -> firecracker.shutdownAll(GUEST_SHUTDOWN_TIMEOUT));
    }

    private static ProviderHandle startQemu(Map<String, String> environment, Path defaultStateDir) {
        QemuVmProvider qemu;
        try {
            qemu = QemuVmProvider.start(QemuConfig.fromEnvironment(environment, defaultStateDir));
        } catch (QemuConfigException | QemuStartupException e) {
            throw new ConfigException(e.getMessage());
        }

        return new ProviderHandle(qemu,
                vmId -> qemu.consoleTail(vmId, QemuVmProvider.CONSOLE_TAIL_BYTES),
                (vmId, snapshotId) -> qemu.snapshotInfo(vmId, snapshotId).map(info -> new SnapshotRecord(
                        info.name(), info.createdAt(), info.sizeBytes(), List.of(info.file().toString()),
                        "sha256:" + info.sha256())),
                () -> qemu.shutdownAll(GUEST_SHUTDOWN_TIMEOUT));
    }
}
