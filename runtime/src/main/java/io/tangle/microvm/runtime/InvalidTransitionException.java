package io.tangle.microvm.runtime;

/** An operation that the transition table forbids in the VM's current status. */
public final class InvalidTransitionException extends VmRuntimeException {

    public InvalidTransitionException(String vmId, VmStatus status, VmOperation operation) {
        super("invalid vm transition for '" + vmId + "': " + status.wireName() + " -> " + operation.targetName(),
                vmId, status, operation, null);
    }
}
