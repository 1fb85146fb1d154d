package io.tangle.microvm.provider.firecracker;

import io.tangle.microvm.provider.support.SocketDir;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The directory that contains the API sockets of all VMs of one state directory. Socket files are
 * named {@code <vmId>.<slot>.sock}.
 *
 * <p>The default directory, {@code /tmp/mvf-<first 12 hex digits of SHA-256(absolute state
 * directory)>}, keeps every socket path at 93 bytes at most. It depends only on the state
 * directory, so a restarted provider finds the same sockets, and the orphan scan recognises its
 * Firecracker processes by it. VM ids go into the file names unhashed: the id rule allows only
 * {@code [A-Za-z0-9_-]}, so they fit and stay readable in {@code ls} and {@code ps}.
 *
 * <p>The API sockets control the VMs without authentication, so the directory must be private.
 * Firecracker does not remove its socket file when it exits, so the provider removes the sockets
 * of processes that ended.
 */
final class FirecrackerSocketDir {

    static final int MAX_SOCKET_PATH_BYTES = SocketDir.MAX_SOCKET_PATH_BYTES;

    static final String SOCKET_SUFFIX = ".sock";

    private static final SocketDir SOCKET_DIR = SocketDir.configurable("mvf", "Firecracker", "API",
            FirecrackerConfig.STATE_DIR, FirecrackerConfig.SOCKET_DIR);

    private FirecrackerSocketDir() {
    }

    /** Returns the default socket directory of {@code stateDir}, an absolute, normalized path. Touches no files. */
    static Path defaultFor(Path stateDir) {
        return SOCKET_DIR.defaultFor(stateDir);
    }

    /** Returns the API socket of one launch slot of a VM. */
    static Path socket(Path socketDir, String vmId, int slot) {
        return SocketDir.socket(socketDir, vmId, slot, SOCKET_SUFFIX);
    }

    /**
     * Creates the socket directory (its parents with the default mode) and checks it, as
     * {@link SocketDir#prepare} does.
     *
     * @throws IOException when the directory cannot be created, or exists and fails a check. The
     *     message names the directory and what to do.
     */
    static void prepare(Path socketDir, Path stateDir) throws IOException {
        SOCKET_DIR.prepare(socketDir, stateDir);
    }

    /** Deletes the socket directory when it passes the checks, as {@link SocketDir#deleteIfOwned} does. */
    static List<String> deleteIfOwned(Path socketDir, Path stateDir) {
        return SOCKET_DIR.deleteIfOwned(socketDir, stateDir);
    }
}
