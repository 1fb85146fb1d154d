package io.tangle.microvm.runtime;

/**
 * The state-changing side of a VM backend. Every method applies one row of
 * {@link VmTransitions}, performs the backend's work and throws a {@link VmRuntimeException} that
 * names the VM, its status and the operation on failure. A failed operation leaves the VM in its
 * previous status. Callers validate ids with {@link ResourceIds} first.
 *
 * <p>Implementations are thread-safe. Callers apply operations on one VM one at a time; operations
 * on different VMs may run concurrently and must not block each other.
 */
public interface VmProvider {

    void createVm(String vmId);

    void startVm(String vmId);

    void stopVm(String vmId);

    void snapshotVm(String vmId, String snapshotId);

    void destroyVm(String vmId);

    /**
     * Replaces the VM's current guest with the one saved in {@code snapshotId} and leaves it
     * running. The snapshot must belong to the VM.
     */
    void restoreVm(String vmId, String snapshotId);
}
