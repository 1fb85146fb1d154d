package io.tangle.microvm.provider.firecracker;

import io.tangle.microvm.runtime.VmStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The durable record of one VM, written to {@code vm.json} after every change so a restarted
 * provider can adopt its Firecracker process.
 *
 * @param vmId the VM id
 * @param status the lifecycle status
 * @param detail a short note for {@code VmView.detail()}, such as why the VMM ended, or {@code null}
 * @param machine the VM's machine, fixed at create
 * @param lastSlot the launch slot of the latest Firecracker process, or -1 before the first launch
 * @param process the Firecracker process of the VM, or {@code null} when none runs
 * @param restoreInProgress set while a restore has moved the rootfs copy aside and the new
 *     process is not recorded yet. A provider that finds it set after a crash moves the rootfs
 *     copy back
 * @param snapshots the snapshots in creation order
 */
record VmMetadata(String vmId, VmStatus status, String detail, MachineSpec machine, int lastSlot,
        ProcessRecord process, boolean restoreInProgress, List<SnapshotInfo> snapshots) {

    VmMetadata {
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(machine, "machine");
        snapshots = List.copyOf(snapshots);
    }

    static VmMetadata created(String vmId, MachineSpec machine, ProcessRecord process) {
        return new VmMetadata(vmId, VmStatus.CREATED, null, machine, process.slot(), process, false, List.of());
    }

    VmMetadata withStatus(VmStatus newStatus, String newDetail) {
        return new VmMetadata(vmId, newStatus, newDetail, machine, lastSlot, process, restoreInProgress, snapshots);
    }

    /** Returns a copy that records {@code newProcess} as the VM's Firecracker process. */
    VmMetadata withProcess(ProcessRecord newProcess) {
        return new VmMetadata(vmId, status, detail, machine, newProcess.slot(), newProcess, restoreInProgress,
                snapshots);
    }

    VmMetadata withoutProcess() {
        return new VmMetadata(vmId, status, detail, machine, lastSlot, null, restoreInProgress, snapshots);
    }

    VmMetadata withRestoreInProgress(boolean value) {
        return new VmMetadata(vmId, status, detail, machine, lastSlot, process, value, snapshots);
    }

    VmMetadata withSnapshot(SnapshotInfo snapshot) {
        List<SnapshotInfo> all = new ArrayList<>(snapshots);
        all.add(snapshot);
        return new VmMetadata(vmId, status, detail, machine, lastSlot, process, restoreInProgress, all);
    }

    Optional<SnapshotInfo> snapshot(String name) {
        return snapshots.stream().filter(snapshot -> snapshot.name().equals(name)).findFirst();
    }

    List<String> snapshotNames() {
        return snapshots.stream().map(SnapshotInfo::name).toList();
    }

    /** Returns the slot for the next launch: the one the latest process did not use. */
    int nextSlot() {
        return lastSlot == 0 ? 1 : 0;
    }

    /**
     * A Firecracker process as recorded on disk. The pid alone does not identify a process across
     * an operator restart, because pids are reused, so the start time and the API socket in its
     * command line are checked too.
     */
    record ProcessRecord(long pid, Instant startedAt, int slot, Path socket) {

        ProcessRecord {
            Objects.requireNonNull(startedAt, "startedAt");
            Objects.requireNonNull(socket, "socket");
        }

        static ProcessRecord of(FirecrackerProcess process) {
            return new ProcessRecord(process.pid(), process.startedAt(), process.slot(), process.socket());
        }
    }
}
