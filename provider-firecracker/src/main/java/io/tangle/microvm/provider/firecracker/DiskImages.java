package io.tangle.microvm.provider.firecracker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Copies rootfs images with {@code cp --reflink=auto}: a copy-on-write clone on file systems that
 * support it (btrfs, XFS with reflink), and otherwise a full copy that keeps holes, so a sparse
 * image stays sparse. The JDK has no call for either.
 */
final class DiskImages {

    private DiskImages() {
    }

    /**
     * Copies {@code source} to {@code target}, replacing it, and syncs the copy.
     *
     * @throws IOException when {@code cp} fails or does not finish within {@code timeout}. A partial
     *     {@code target} is deleted
     */
    static void copy(Path source, Path target, Duration timeout) throws IOException, InterruptedException {
        Path errors = target.resolveSibling(target.getFileName() + ".cp-errors");
        Process cp = new ProcessBuilder("cp", "--reflink=auto", "--sparse=auto", "--", source.toString(),
                target.toString())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(errors.toFile())
                .start();
        try {
            if (!cp.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                cp.destroyForcibly();
                cp.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                throw new IOException("copying " + source + " to " + target + " did not finish within "
                        + timeout.toMillis() + " ms (" + FirecrackerConfig.SNAPSHOT_TIMEOUT_MS + ")");
            }
            if (cp.exitValue() != 0) {
                throw new IOException("cp " + source + " " + target + " failed with status " + cp.exitValue() + ": "
                        + Files.readString(errors, StandardCharsets.UTF_8).strip());
            }
            FileTrees.syncFile(target);
        } catch (IOException | InterruptedException e) {
            Files.deleteIfExists(target);
            throw e;
        } finally {
            Files.deleteIfExists(errors);
        }
    }
}
