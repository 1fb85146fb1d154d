package io.tangle.microvm.runtime;

import java.util.List;
import java.util.Optional;

/** The read side of a VM backend. Queries never wait for a backend call in progress. */
public interface VmQuery {

    /** Returns every VM, destroyed ones included, sorted by id in ascending string order. */
    List<VmView> listVms();

    /** Returns the VM, or empty when the id is unknown. */
    Optional<VmView> getVm(String vmId);

    /** Returns the VM's snapshot names in creation order, or empty when the id is unknown. */
    default Optional<List<String>> listSnapshots(String vmId) {
        return getVm(vmId).map(VmView::snapshots);
    }
}
