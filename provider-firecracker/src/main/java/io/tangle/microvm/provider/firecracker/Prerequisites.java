package io.tangle.microvm.provider.firecracker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The files a create needs: the Firecracker binary, the guest kernel and the rootfs image. */
final class Prerequisites {

    private Prerequisites() {
    }

    /** Returns what is missing, naming the file and the variable that sets it, or empty when all are there. */
    static Optional<String> missing(FirecrackerConfig config) {
        Path binary = config.binary();
        if (!Files.isRegularFile(binary)) {
            return Optional.of("firecracker binary not found: " + binary + "; install Firecracker there or set "
                    + FirecrackerConfig.BIN);
        }
        if (!Files.isExecutable(binary)) {
            return Optional.of("firecracker binary " + binary + " is not executable; run chmod +x on it or set "
                    + FirecrackerConfig.BIN);
        }
        if (!Files.isRegularFile(config.kernel())) {
            return Optional.of("kernel image not found: " + config.kernel() + "; set " + FirecrackerConfig.KERNEL
                    + " to an uncompressed guest kernel (vmlinux)");
        }
        if (!Files.isRegularFile(config.rootfs())) {
            return Optional.of("rootfs image not found: " + config.rootfs() + "; set " + FirecrackerConfig.ROOTFS
                    + " to a root file system image");
        }
        return Optional.empty();
    }
}
