package io.tangle.microvm.provider.qemu;

/**
 * A QEMU provider that cannot start: a missing binary, kernel or initrd, a state directory that
 * cannot be used, or a state directory locked by another provider. The message states what to do.
 */
public final class QemuStartupException extends RuntimeException {

    public QemuStartupException(String message) {
        super(message);
    }

    public QemuStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
