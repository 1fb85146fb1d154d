package io.tangle.microvm.provider.firecracker;

/**
 * A Firecracker launch that failed. The process is gone and its socket removed. The message
 * names the VM, the step, the cause and Firecracker's last output.
 */
final class LaunchException extends Exception {

    private final String step;

    LaunchException(String step, String message, Throwable cause) {
        super(message, cause);
        this.step = step;
    }

    /** Returns the step that failed, such as {@code configure the machine}. */
    String step() {
        return step;
    }
}
