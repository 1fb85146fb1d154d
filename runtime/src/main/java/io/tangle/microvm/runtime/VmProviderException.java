package io.tangle.microvm.runtime;

/**
 * A failure of the virtual machine monitor behind a provider: a process that would not start, an
 * API call that failed or timed out, a file that could not be written. The message names the
 * step and the cause.
 */
public final class VmProviderException extends VmRuntimeException {

    public VmProviderException(String message, String vmId, VmStatus status, VmOperation operation, Throwable cause) {
        super(message, vmId, status, operation, cause);
    }

    public VmProviderException(String message, String vmId, VmStatus status, VmOperation operation) {
        this(message, vmId, status, operation, null);
    }
}
