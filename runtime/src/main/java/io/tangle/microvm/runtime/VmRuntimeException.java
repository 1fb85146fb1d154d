package io.tangle.microvm.runtime;

import java.util.Optional;

/**
 * Base of every lifecycle error. Each carries the VM id, the VM's status when the error happened
 * (empty when the VM does not exist) and the operation, so logs and job outcomes can name all
 * three. The message is the upstream blueprint's text where one exists.
 */
public abstract sealed class VmRuntimeException extends RuntimeException
        permits VmAlreadyExistsException, VmNotFoundException, InvalidTransitionException,
                SnapshotAlreadyExistsException, SnapshotNotFoundException, VmProviderException {

    private final String vmId;
    private final VmStatus status;
    private final VmOperation operation;

    protected VmRuntimeException(String message, String vmId, VmStatus status, VmOperation operation, Throwable cause) {
        super(message, cause);
        this.vmId = vmId;
        this.status = status;
        this.operation = operation;
    }

    public String vmId() {
        return vmId;
    }

    /** Returns the VM's status when the error happened; empty when the VM does not exist. */
    public Optional<VmStatus> status() {
        return Optional.ofNullable(status);
    }

    public VmOperation operation() {
        return operation;
    }
}
