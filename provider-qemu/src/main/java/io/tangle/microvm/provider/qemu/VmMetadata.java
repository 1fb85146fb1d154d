package io.tangle.microvm.provider.qemu;

import io.tangle.microvm.runtime.VmStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The durable record of one VM, written to {@code vm.json} after every change so a restarted
 * provider can adopt its QEMU process.
 *
 * @param vmId the VM id
 * @param status the lifecycle status
 * @param detail a short note for {@code VmView.detail()}, such as why the guest ended, or {@code null}
 * @param lastSlot the launch slot of the latest QEMU process, or -1 before the first launch
 * @param process the QEMU process that runs the guest, or {@code null} when none runs
 * @param snapshots the snapshots in creation order
 */
record VmMetadata(String vmId, VmStatus status, String detail, int lastSlot, ProcessRecord process,
        List<SnapshotInfo> snapshots) {

    VmMetadata {
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(status, "status");
        snapshots = List.copyOf(snapshots);
    }

    static VmMetadata created(String vmId) {
        return new VmMetadata(vmId, VmStatus.CREATED, null, -1, null, List.of());
    }

    VmMetadata withStatus(VmStatus newStatus, String newDetail) {
        return new VmMetadata(vmId, newStatus, newDetail, lastSlot, process, snapshots);
    }

    /** Returns a copy that records {@code newProcess} as the VM's QEMU process. */
    VmMetadata withProcess(ProcessRecord newProcess) {
        return new VmMetadata(vmId, status, detail, newProcess.slot(), newProcess, snapshots);
    }

    VmMetadata withoutProcess() {
        return new VmMetadata(vmId, status, detail, lastSlot, null, snapshots);
    }

    VmMetadata withSnapshot(SnapshotInfo snapshot) {
        List<SnapshotInfo> all = new ArrayList<>(snapshots);
        all.add(snapshot);
        return new VmMetadata(vmId, status, detail, lastSlot, process, all);
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
     * A QEMU process as recorded on disk. The pid alone does not identify a process across an
     * operator restart, because pids are reused, so the start time and the QMP socket in its
     * command line are checked too.
     */
    record ProcessRecord(long pid, Instant startedAt, int slot, Path qmpSocket, Path consoleSocket,
            MachineSpec machine) {

        ProcessRecord {
            Objects.requireNonNull(startedAt, "startedAt");
            Objects.requireNonNull(qmpSocket, "qmpSocket");
            Objects.requireNonNull(consoleSocket, "consoleSocket");
            Objects.requireNonNull(machine, "machine");
        }

        static ProcessRecord of(QemuProcess process) {
            return new ProcessRecord(process.pid(), process.startedAt(), process.slot(), process.sockets().qmp(),
                    process.sockets().console(), process.machine());
        }
    }
}
