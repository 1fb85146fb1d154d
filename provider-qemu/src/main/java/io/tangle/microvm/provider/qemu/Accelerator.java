package io.tangle.microvm.provider.qemu;

import java.util.Locale;

/** The accelerator a QEMU process runs with. */
public enum Accelerator {
    /** Hardware virtualization through /dev/kvm. */
    KVM,
    /** QEMU's software emulator, which works everywhere but runs guests several times slower. */
    TCG;

    /** Returns QEMU's name for the accelerator, as passed to {@code -accel}. */
    public String qemuName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
