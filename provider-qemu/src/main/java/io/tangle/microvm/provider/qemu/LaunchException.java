package io.tangle.microvm.provider.qemu;

/** A QEMU launch that failed; the message names the VM, the step and the cause, and the process is gone. */
final class LaunchException extends Exception {

    private final String step;

    LaunchException(String step, String message, Throwable cause) {
        super(message, cause);
        this.step = step;
    }

    /** Returns the step that failed, such as {@code connect QMP} or {@code wait for the ready line}. */
    String step() {
        return step;
    }
}
