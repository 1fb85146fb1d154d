package io.tangle.microvm.provider.qemu;

import java.util.Locale;

/** The accelerator setting of {@code MICROVM_QEMU_ACCEL}: a fixed accelerator, or a probe at start. */
public enum AcceleratorMode {
    /** Probe KVM once at provider start with a test boot and fall back to TCG when it fails. */
    AUTO,
    KVM,
    TCG;

    /** Returns the lowercase value used in the environment variable, such as {@code auto}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
