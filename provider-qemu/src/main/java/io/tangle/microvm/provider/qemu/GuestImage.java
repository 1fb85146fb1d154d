package io.tangle.microvm.provider.qemu;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The guest image that {@code scripts/build-guest-image.sh} builds: where it lives and the console
 * lines its {@code /init} prints. The script and this class must agree on both.
 */
public final class GuestImage {

    /** The line the guest's {@code /init} prints on the serial console once the guest is up. */
    public static final String READY_LINE = "MICROVM-READY";

    /** The prefix of the guest's heartbeat line, followed by a counter that starts at 0. */
    public static final String HEARTBEAT_PREFIX = "MICROVM-HEARTBEAT ";

    /** The command that builds the image, as shown to operators. */
    public static final String BUILD_COMMAND = "bin/microvm-blueprint image build";

    static final String KERNEL_FILE = "vmlinuz";
    static final String INITRD_FILE = "initrd.img";

    private GuestImage() {
    }

    /**
     * Returns the script's default output directory: {@code MICROVM_IMAGE_DIR} when set, otherwise
     * {@code microvm-blueprint/guest} under {@code XDG_CACHE_HOME} or {@code ~/.cache}.
     */
    public static Path defaultDirectory(Map<String, String> env) {
        String imageDir = env.get("MICROVM_IMAGE_DIR");
        if (imageDir != null && !imageDir.isBlank()) {
            return Path.of(imageDir);
        }

        String cacheHome = env.get("XDG_CACHE_HOME");
        Path cache;
        if (cacheHome != null && !cacheHome.isBlank()) {
            cache = Path.of(cacheHome);
        } else {
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            cache = Path.of(home, ".cache");
        }
        return cache.resolve("microvm-blueprint").resolve("guest");
    }

    public static Path defaultKernel(Map<String, String> env) {
        return defaultDirectory(env).resolve(KERNEL_FILE);
    }

    public static Path defaultInitrd(Map<String, String> env) {
        return defaultDirectory(env).resolve(INITRD_FILE);
    }

    /**
     * Checks that the kernel and initrd are readable files.
     *
     * @throws QemuStartupException naming the missing file and the command that builds it
     */
    static void requireFiles(Path kernel, Path initrd) {
        requireFile(kernel, "kernel", "MICROVM_QEMU_KERNEL");
        requireFile(initrd, "initrd", "MICROVM_QEMU_INITRD");
    }

    private static void requireFile(Path file, String label, String variable) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new QemuStartupException("guest " + label + " not found at " + file + ": run `" + BUILD_COMMAND
                    + "` (scripts/build-guest-image.sh) to build the guest image, or set " + variable
                    + " to an existing file");
        }
    }
}
