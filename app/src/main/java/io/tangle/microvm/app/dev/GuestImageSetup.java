package io.tangle.microvm.app.dev;

import io.tangle.microvm.app.config.ConfigException;
import io.tangle.microvm.chain.local.LocalTools;
import io.tangle.microvm.provider.qemu.GuestImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Builds the QEMU guest image with the project's script when it is missing. */
public final class GuestImageSetup {

    private static final long BUILD_TIMEOUT_MINUTES = 15;

    private GuestImageSetup() {
    }

    /** Builds the image unless the kernel and initrd that the QEMU provider would use exist. */
    public static void ensureBuilt(Map<String, String> env, PrintWriter out) throws IOException, InterruptedException {
        Path kernel = env.containsKey("MICROVM_QEMU_KERNEL") ? Path.of(env.get("MICROVM_QEMU_KERNEL"))
                : GuestImage.defaultKernel(env);
        Path initrd = env.containsKey("MICROVM_QEMU_INITRD") ? Path.of(env.get("MICROVM_QEMU_INITRD"))
                : GuestImage.defaultInitrd(env);
        if (Files.isRegularFile(kernel) && Files.isRegularFile(initrd)) {
            return;
        }
        out.println("guest image missing (" + kernel + "); building it");
        out.flush();
        build(out);
    }

    /** Runs {@code scripts/build-guest-image.sh}, streaming its progress to the terminal. */
    public static void build(PrintWriter out) throws IOException, InterruptedException {
        Path script = LocalTools.projectRoot().resolve("scripts/build-guest-image.sh");
        Process process = new ProcessBuilder(script.toString()).inheritIO().start();
        if (!process.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new ConfigException(script + " did not finish within " + BUILD_TIMEOUT_MINUTES + " minutes");
        }
        if (process.exitValue() != 0) {
            throw new ConfigException(script + " failed with exit status " + process.exitValue()
                    + "; see its output above");
        }
        out.flush();
    }
}
