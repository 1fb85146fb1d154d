package io.tangle.microvm.runtime;

import java.util.List;
import java.util.Objects;

/**
 * Read model of one VM: its id, status and snapshot names in creation order.
 *
 * @param owner the address that created the VM, or {@code null} when unknown
 * @param detail a short provider note, such as the exit reason of a guest that ended on its
 *     own, or {@code null}
 */
public record VmView(String vmId, VmStatus status, List<String> snapshots, String owner, String detail) {

    public VmView {
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(status, "status");
        snapshots = List.copyOf(snapshots);
    }

    public VmView(String vmId, VmStatus status, List<String> snapshots) {
        this(vmId, status, snapshots, null, null);
    }
}
