package io.tangle.microvm.provider.qemu;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves {@code MICROVM_QEMU_BIN} to an executable file. */
final class QemuBinary {

    private QemuBinary() {
    }

    /**
     * Returns {@code binary} as an absolute path: a value with a slash is a path, any other value a
     * command name looked up in {@code searchPath} (the {@code PATH} variable).
     *
     * @throws QemuStartupException when no executable file is found
     */
    static Path resolve(String binary, String searchPath) {
        if (binary.contains("/")) {
            Path path = Path.of(binary).toAbsolutePath();
            if (Files.isRegularFile(path) && Files.isExecutable(path)) {
                return path;
            }
            throw new QemuStartupException("QEMU binary " + path + " (" + QemuConfig.BIN
                    + ") is not an executable file; install qemu-system-x86 or fix " + QemuConfig.BIN);
        }

        if (searchPath != null) {
            for (String directory : searchPath.split(File.pathSeparator)) {
                if (directory.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(directory, binary).toAbsolutePath();
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new QemuStartupException("QEMU binary '" + binary + "' not found on PATH; install the qemu-system-x86 "
                + "package (scripts/install-system-packages.sh) or set " + QemuConfig.BIN + " to its path");
    }
}
