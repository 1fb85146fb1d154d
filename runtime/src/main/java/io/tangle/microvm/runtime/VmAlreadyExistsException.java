package io.tangle.microvm.runtime;

/** Create of an id that is in use, destroyed ids included. */
public final class VmAlreadyExistsException extends VmRuntimeException {

    public VmAlreadyExistsException(String vmId, VmStatus status) {
        super("vm '" + vmId + "' already exists", vmId, status, VmOperation.CREATE, null);
    }
}
