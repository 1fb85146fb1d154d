package io.tangle.microvm.provider.qemu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The directory that contains the QMP and console sockets of all VMs of one state directory:
 * {@code /tmp/mvq-<first 12 hex digits of SHA-256(absolute state directory)>/}. Socket files are
 * named {@code <vmId>.<slot>.qmp} and {@code <vmId>.<slot>.con}.
 *
 * <p>A Unix socket path has at most {@value #MAX_SOCKET_PATH_BYTES} bytes on Linux, and a state
 * directory under the operator's data directory is often too long to hold a 64-character VM id
 * and a socket name below that. This directory keeps every socket path at most 92 bytes,
 * whatever the state directory is. VM ids go into the file names unhashed, because the id rule
 * ({@code ResourceIds}) allows at most 64 characters from {@code [A-Za-z0-9_-]}. So they fit,
 * and they stay readable in {@code ls} and {@code ps}. Two ids never share a file name, because
 * ids contain no dot.
 *
 * <p>The name depends only on the state directory's path, so a restarted provider finds the same
 * directory, and the orphan scan recognises its QEMU processes by it. /tmp is used because it
 * exists on every Linux system and its name is short. {@code TMPDIR} is not used, because it can
 * be long and can differ between two runs of the operator. The directory has mode 0700 and
 * belongs to this process's user. /tmp normally has the sticky bit (mode 1777), so other
 * unprivileged users can neither rename nor remove it. The file {@value #STATE_DIR_FILE} inside names the state directory, so a second
 * state directory with the same 48-bit hash prefix is rejected instead of sharing the sockets.
 * systemd-tmpfiles skips sockets listed in {@code /proc/net/unix}, so the age-based cleanup of
 * /tmp leaves live sockets alone. It may remove the directory once it is empty and old, so
 * {@link #prepare} runs again before every launch.
 *
 * <p>NOTE: under systemd with {@code PrivateTmp=yes}, a new service instance gets a new /tmp. A
 * guest that outlives a restart (with {@code KillMode=process}) is adopted but cannot be
 * reached over QMP or its console.
 */
final class SocketDir {

    /**
     * Maximum length in bytes of a Unix socket path on Linux: {@code sun_path} has 108 bytes,
     * including the terminating NUL.
     */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    /** The file in the socket directory that contains the absolute state directory it belongs to. */
    static final String STATE_DIR_FILE = "state-dir";

    static final String QMP_SUFFIX = ".qmp";
    static final String CONSOLE_SUFFIX = ".con";

    private static final Path ROOT = Path.of("/tmp");
    private static final String PREFIX = "mvq-";
    private static final int HASH_HEX_DIGITS = 12;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final int OWNER_ONLY_MODE = 0700;
    private static final int PERMISSION_BITS = 07777;
    private static final int GROUP_AND_OTHER_BITS = 0077;

    private SocketDir() {
    }

    /** Returns the socket directory of {@code stateDir}, an absolute, normalized path. Touches no files. */
    static Path pathFor(Path stateDir) {
        return ROOT.resolve(PREFIX + hashPrefix(stateDir.toString()));
    }

    /** Returns the path of one socket of a launch slot, {@code suffix} being {@link #QMP_SUFFIX} or {@link #CONSOLE_SUFFIX}. */
    static Path socket(Path socketDir, String vmId, int slot, String suffix) {
        return socketDir.resolve(vmId + "." + slot + suffix);
    }

    /**
     * Creates the socket directory of {@code stateDir} with mode 0700 when it is missing, and checks
     * that it is usable: a real directory (not a symbolic link) of this process's user, with no
     * access for group or others, whose {@value #STATE_DIR_FILE} file names {@code stateDir}.
     * Writes that file when it is missing.
     *
     * @return the socket directory
     * @throws IOException when the directory cannot be created, or exists and fails a check. The
     *     message names the directory, {@link QemuConfig#STATE_DIR} and what to do.
     */
    static Path prepare(Path stateDir) throws IOException {
        Path dir = pathFor(stateDir);

        if (createOwnerOnly(dir, stateDir)) {
            // The umask applies to createDirectory, so the mode is set again without it.
            Files.setPosixFilePermissions(dir, OWNER_ONLY);
        }

        requireOwnedPrivateDirectory(dir, stateDir);
        requireStateDirFile(dir, stateDir);
        return dir;
    }

    /**
     * Deletes the socket directory of {@code stateDir} with everything in it, for a provider that
     * stops with no guest running. Leaves a directory alone that fails the checks of
     * {@link #prepare}, because it may belong to another state directory.
     *
     * @return the paths that could not be deleted, each with its error. Empty on success and
     *     when nothing was deleted.
     */
    static List<String> deleteIfOwned(Path stateDir) {
        Path dir = pathFor(stateDir);
        try {
            requireOwnedPrivateDirectory(dir, stateDir);
            if (!stateDir.toString().equals(readStateDirFile(dir))) {
                return List.of();
            }
        } catch (IOException e) {
            return List.of();
        }
        return FileTrees.deleteTree(dir);
    }

    private static boolean createOwnerOnly(Path dir, Path stateDir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new IOException("cannot create the socket directory " + dir + " (of " + QemuConfig.STATE_DIR + " "
                    + stateDir + "): " + e, e);
        }
    }

    private static void requireOwnedPrivateDirectory(Path dir, Path stateDir) throws IOException {
        String subject = "socket directory " + dir + " (of " + QemuConfig.STATE_DIR + " " + stateDir + ")";
        if (Files.isSymbolicLink(dir)) {
            throw new IOException(subject + " is a symbolic link, not a directory; remove it and start again");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(subject + " exists but is not a directory; remove it and start again");
        }

        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int self = currentUid();
        if (owner != self) {
            throw new IOException(subject + " belongs to uid " + owner + ", not to uid " + self
                    + " of this process, so another user could reach the QMP sockets; remove it and start again");
        }

        int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & PERMISSION_BITS;
        if ((mode & GROUP_AND_OTHER_BITS) != 0) {
            throw new IOException(subject + " has mode " + Integer.toOctalString(mode) + ", expected "
                    + Integer.toOctalString(OWNER_ONLY_MODE) + " so that only its owner can reach the QMP sockets; "
                    + "run chmod 700 " + dir + " or remove it, then start again");
        }
    }

    private static void requireStateDirFile(Path dir, Path stateDir) throws IOException {
        String recorded = readStateDirFile(dir);
        if (recorded == null) {
            writeStateDirFile(dir, stateDir);
            return;
        }
        if (!recorded.equals(stateDir.toString())) {
            throw new IOException("socket directory " + dir + " belongs to the state directory " + recorded
                    + " (recorded in " + dir.resolve(STATE_DIR_FILE) + "), not to " + QemuConfig.STATE_DIR + " "
                    + stateDir + ", because both paths have the same SHA-256 prefix; set " + QemuConfig.STATE_DIR
                    + " to another path, or remove " + dir + " if no QEMU provider uses " + recorded + " any more");
        }
    }

    /**
     * Returns the state directory recorded in {@code dir}, or {@code null} when the file is missing.
     * Only the final newline is removed, because a path may end with spaces.
     */
    private static String readStateDirFile(Path dir) throws IOException {
        String content;
        try {
            content = Files.readString(dir.resolve(STATE_DIR_FILE), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
        return content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
    }

    /** Writes the file through a temporary file and a rename, so a crash never leaves a torn path in it. */
    private static void writeStateDirFile(Path dir, Path stateDir) throws IOException {
        Path file = dir.resolve(STATE_DIR_FILE);
        Path temporary = dir.resolve(STATE_DIR_FILE + ".tmp");
        byte[] bytes = (stateDir + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
            channel.write(ByteBuffer.wrap(bytes));
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Returns the effective uid of this process from {@code /proc/self/status}. The Java SE API has
     * no call for it, and {@code user.name} may name no account inside a container.
     */
    private static int currentUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("Uid:")) {
                // The fields are the real, effective, saved and file system uid.
                String[] fields = line.substring("Uid:".length()).trim().split("\\s+");
                return Integer.parseInt(fields[1]);
            }
        }
        throw new IOException("/proc/self/status has no Uid line, so the owner of the socket directory cannot be "
                + "checked");
    }

    private static String hashPrefix(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_HEX_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
