package io.tangle.microvm.provider.qemu;

/** An invalid QEMU provider setting. The message names the variable, the value and what is allowed. */
public final class QemuConfigException extends IllegalArgumentException {

    public QemuConfigException(String message) {
        super(message);
    }
}
