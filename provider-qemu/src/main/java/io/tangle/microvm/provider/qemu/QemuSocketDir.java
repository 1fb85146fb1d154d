package io.tangle.microvm.provider.qemu;

import io.tangle.microvm.provider.support.SocketDir;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The directory that contains the QMP and console sockets of all VMs of one state directory:
 * {@code /tmp/mvq-<first 12 hex digits of SHA-256(absolute state directory)>/}. Socket files are
 * named {@code <vmId>.<slot>.qmp} and {@code <vmId>.<slot>.con}.
 *
 * <p>This directory keeps every socket path at most 92 bytes, whatever the state directory is.
 * VM ids go into the file names unhashed, because the id rule ({@code ResourceIds}) allows at
 * most 64 characters from {@code [A-Za-z0-9_-]}. So they fit, and they stay readable in
 * {@code ls} and {@code ps}. Two ids never share a file name, because ids contain no dot.
 *
 * <p>The orphan scan recognises this provider's QEMU processes by the directory. /tmp is used
 * because it exists on every Linux system and its name is short. {@code TMPDIR} is not used,
 * because it can be long and can differ between two runs of the operator. /tmp normally has the
 * sticky bit (mode 1777), so other unprivileged users can neither rename nor remove the
 * directory. systemd-tmpfiles skips sockets listed in {@code /proc/net/unix}, so the age-based
 * cleanup of /tmp leaves live sockets alone. It may remove the directory once it is empty and
 * old, so {@link #prepare} runs again before every launch.
 *
 * <p>NOTE: under systemd with {@code PrivateTmp=yes}, a new service instance gets a new /tmp. A
 * guest that outlives a restart (with {@code KillMode=process}) is adopted but cannot be
 * reached over QMP or its console.
 */
final class QemuSocketDir {

    static final int MAX_SOCKET_PATH_BYTES = SocketDir.MAX_SOCKET_PATH_BYTES;

    static final String QMP_SUFFIX = ".qmp";
    static final String CONSOLE_SUFFIX = ".con";

    private static final SocketDir SOCKET_DIR = SocketDir.derived("mvq", "QEMU", "QMP", QemuConfig.STATE_DIR);

    private QemuSocketDir() {
    }

    /** Returns the socket directory of {@code stateDir}, an absolute, normalized path. Touches no files. */
    static Path pathFor(Path stateDir) {
        return SOCKET_DIR.defaultFor(stateDir);
    }

    /** Returns the path of one socket of a launch slot, {@code suffix} being {@link #QMP_SUFFIX} or {@link #CONSOLE_SUFFIX}. */
    static Path socket(Path socketDir, String vmId, int slot, String suffix) {
        return SocketDir.socket(socketDir, vmId, slot, suffix);
    }

    /**
     * Creates and checks the socket directory of {@code stateDir}, as {@link SocketDir#prepare} does.
     *
     * @return the socket directory
     * @throws IOException when the directory cannot be created, or exists and fails a check. The
     *     message names the directory, {@link QemuConfig#STATE_DIR} and what to do.
     */
    static Path prepare(Path stateDir) throws IOException {
        return SOCKET_DIR.prepare(pathFor(stateDir), stateDir);
    }

    /** Deletes the socket directory of {@code stateDir} when it passes the checks, as {@link SocketDir#deleteIfOwned} does. */
    static List<String> deleteIfOwned(Path stateDir) {
        return SOCKET_DIR.deleteIfOwned(pathFor(stateDir), stateDir);
    }
}
