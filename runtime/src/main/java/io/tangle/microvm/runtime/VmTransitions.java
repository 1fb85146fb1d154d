package io.tangle.microvm.runtime;

/**
 * The lifecycle transition table shared by every provider.
 *
 * <p>Rules, with {@code absent} meaning no record for the id:
 * <ul>
 *   <li>create: only from absent; ids are never reusable, destroyed ones included.
 *   <li>start: from created or stopped.
 *   <li>stop: only from running.
 *   <li>snapshot: from created, running or stopped; the status does not change. Providers check
 *       for a duplicate snapshot name after this check.
 *   <li>destroy: from created, running or stopped.
 *   <li>restore: from created, running or stopped, to running.
 * </ul>
 */
public final class VmTransitions {

    private VmTransitions() {
    }

    /**
     * Returns the status after {@code operation}, or throws the error the upstream blueprint
     * raises for it.
     *
     * @param current the current status, or {@code null} when the VM does not exist
     * @throws VmAlreadyExistsException on create of an existing id
     * @throws VmNotFoundException on any other operation of an absent id
     * @throws InvalidTransitionException when the table forbids the operation
     */
    public static VmStatus next(String vmId, VmStatus current, VmOperation operation) {
        if (operation == VmOperation.CREATE) {
            if (current != null) {
                throw new VmAlreadyExistsException(vmId, current);
            }
            return VmStatus.CREATED;
        }

        if (current == null) {
            throw new VmNotFoundException(vmId, operation);
        }

        VmStatus next = switch (operation) {
            case START -> current == VmStatus.CREATED || current == VmStatus.STOPPED ? VmStatus.RUNNING : null;
            case STOP -> current == VmStatus.RUNNING ? VmStatus.STOPPED : null;
            case SNAPSHOT -> current != VmStatus.DESTROYED ? current : null;
            case DESTROY -> current != VmStatus.DESTROYED ? VmStatus.DESTROYED : null;
            case RESTORE -> current != VmStatus.DESTROYED ? VmStatus.RUNNING : null;
            case CREATE -> throw new AssertionError("handled above");
        };
        if (next == null) {
            throw new InvalidTransitionException(vmId, current, operation);
        }
        return next;
    }
}
