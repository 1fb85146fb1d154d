package io.tangle.microvm.provider.firecracker;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The machine of one VM, fixed at create and recorded in its metadata, so a later cold boot
 * builds the same machine even when the configuration changed in between.
 *
 * @param vcpuCount virtual CPUs
 * @param memSizeMib guest memory in MiB
 * @param kernel the guest kernel
 * @param bootArgs the guest kernel command line
 * @param rootfs the root drive: the shared image when read-only, the VM's own copy otherwise
 * @param rootfsReadOnly whether the root drive is attached read-only
 */
record MachineSpec(int vcpuCount, int memSizeMib, Path kernel, String bootArgs, Path rootfs, boolean rootfsReadOnly) {

    MachineSpec {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(bootArgs, "bootArgs");
        Objects.requireNonNull(rootfs, "rootfs");
    }

    /** Returns the machine of a new VM: the configured one, with the VM's own rootfs copy when the rootfs is writable. */
    static MachineSpec of(FirecrackerConfig config, VmPaths paths) {
        Path drive = config.rootfsReadOnly() ? config.rootfs() : paths.rootfsCopy();
        return new MachineSpec(config.vcpuCount(), config.memSizeMib(), config.kernel(), config.bootArgs(), drive,
                config.rootfsReadOnly());
    }
}
