package io.tangle.microvm.store;

import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmView;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The durable record of one VM.
 *
 * @param owner the address that created the VM, or {@code null} when unknown
 * @param provider the name of the provider that runs the VM, such as {@code qemu}
 * @param providerHandle the provider's own data for finding the VM again after a restart, as
 *     opaque JSON, or {@code null}
 * @param lastCallId the call that last changed the VM, or {@code null} when no call did (a VM
 *     adopted from the provider)
 * @param snapshots the VM's snapshots in creation order, with unique names
 */
public record VmRecord(
        String vmId,
        String owner,
        VmStatus status,
        String provider,
        String providerHandle,
        Instant createdAt,
        Instant updatedAt,
        Long lastCallId,
        List<SnapshotRecord> snapshots) {

    public VmRecord {
        Objects.requireNonNull(vmId, "vmId");
        if (vmId.isBlank()) {
            throw new IllegalArgumentException("vmId is blank");
        }
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (lastCallId != null && lastCallId < 0) {
            throw new IllegalArgumentException("lastCallId < 0: " + lastCallId + " for VM " + vmId);
        }
        snapshots = List.copyOf(snapshots);
        requireUniqueNames(vmId, snapshots);
    }

    /** Returns the read model: snapshot names in creation order, and the owner. */
    public VmView toView() {
        List<String> names = snapshots.stream().map(SnapshotRecord::name).toList();
        return new VmView(vmId, status, names, owner, null);
    }

    private static void requireUniqueNames(String vmId, List<SnapshotRecord> snapshots) {
        Set<String> seen = new HashSet<>();
        for (SnapshotRecord snapshot : snapshots) {
            if (!seen.add(snapshot.name())) {
                throw new IllegalArgumentException("duplicate snapshot name '" + snapshot.name() + "' in VM " + vmId);
            }
        }
    }
}
