package io.tangle.microvm.provider.firecracker;

import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmView;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The provider's state of one VM. Operations hold {@link #lock} for their whole run, API calls
 * included, so operations on one VM never interleave. The lock is per VM, so other VMs are not
 * blocked. Queries read the volatile fields without the lock, because {@link #view} and
 * {@link #metadata} are immutable values replaced as a whole.
 */
final class VmEntry {

    final String vmId;
    final VmPaths paths;
    final ReentrantLock lock = new ReentrantLock();

    /** The published read model, or {@code null} while a create is still reserving the id. */
    volatile VmView view;
    volatile VmMetadata metadata;
    /** The Firecracker process of the VM, or {@code null} when none runs. Written under {@link #lock}. */
    volatile FirecrackerProcess process;
    /** Set when a create failed and the entry left the map. A waiter must then treat the id as absent. */
    volatile boolean removed;

    VmEntry(String vmId, VmPaths paths) {
        this.vmId = vmId;
        this.paths = paths;
    }

    /** Returns the current status, or {@code null} while the entry is not published. */
    VmStatus status() {
        VmMetadata current = metadata;
        return current == null ? null : current.status();
    }

    /** Replaces the in-memory record and the published view. The caller persists the record first. */
    void publish(VmMetadata newMetadata) {
        metadata = newMetadata;
        view = new VmView(newMetadata.vmId(), newMetadata.status(), newMetadata.snapshotNames(), null,
                newMetadata.detail());
    }
}
