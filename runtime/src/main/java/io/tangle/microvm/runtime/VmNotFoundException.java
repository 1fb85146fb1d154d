package io.tangle.microvm.runtime;

/** An operation on an id that was never created. */
public final class VmNotFoundException extends VmRuntimeException {

    public VmNotFoundException(String vmId, VmOperation operation) {
        super("vm '" + vmId + "' not found", vmId, null, operation, null);
    }
}
