package io.tangle.microvm.runtime;

/** A snapshot name that the VM already has. Names are unique per VM and case-sensitive. */
public final class SnapshotAlreadyExistsException extends VmRuntimeException {

    private final String snapshotId;

    public SnapshotAlreadyExistsException(String vmId, VmStatus status, String snapshotId) {
        super("snapshot '" + snapshotId + "' already exists for vm '" + vmId + "'", vmId, status, VmOperation.SNAPSHOT, null);
        this.snapshotId = snapshotId;
    }

    public String snapshotId() {
        return snapshotId;
    }
}
