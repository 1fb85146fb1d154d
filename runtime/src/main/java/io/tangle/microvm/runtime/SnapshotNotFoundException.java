package io.tangle.microvm.runtime;

/** A restore from a snapshot name that the VM does not have. */
public final class SnapshotNotFoundException extends VmRuntimeException {

    private final String snapshotId;

    public SnapshotNotFoundException(String vmId, VmStatus status, String snapshotId) {
        super("snapshot '" + snapshotId + "' not found for vm '" + vmId + "'", vmId, status, VmOperation.RESTORE, null);
        this.snapshotId = snapshotId;
    }

    public String snapshotId() {
        return snapshotId;
    }
}
