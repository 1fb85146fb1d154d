package io.tangle.microvm.provider.firecracker;

/** An invalid {@code MICROVM_FIRECRACKER_*} setting. The message names the variable, the value and what is allowed. */
public final class FirecrackerConfigException extends IllegalArgumentException {

    public FirecrackerConfigException(String message) {
        super(message);
    }
}
