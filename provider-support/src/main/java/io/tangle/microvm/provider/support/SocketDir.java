package io.tangle.microvm.provider.support;

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
 * A private directory that contains the control sockets of all VMs of one state directory. The
 * default is {@code /tmp/<prefix>-<first 12 hex digits of SHA-256(absolute state directory)>}.
 *
 * <p>A Unix socket path has at most {@value #MAX_SOCKET_PATH_BYTES} bytes on Linux, and a state
 * directory is often too long to hold a 64-character VM id and a socket name below that. The
 * default name depends only on the state directory's path, so a restarted provider finds the
 * same directory. The directory has mode 0700 and belongs to this process's user, so no other
 * user can reach the sockets. The file {@value #STATE_DIR_FILE} inside names the state
 * directory, so a second state directory that maps to the same socket directory is rejected
 * instead of sharing the sockets.
 *
 * <p>Error messages come in two forms. A directory that is always derived from the state
 * directory ({@link #derived}) names the state directory variable. A directory that an
 * environment variable can set ({@link #configurable}) names that variable as well.
 */
public final class SocketDir {

    /**
     * Maximum length in bytes of a Unix socket path on Linux: {@code sun_path} has 108 bytes,
     * including the terminating NUL.
     */
    public static final int MAX_SOCKET_PATH_BYTES = 107;

    /** The file in the socket directory that contains the absolute state directory it belongs to. */
    public static final String STATE_DIR_FILE = "state-dir";

    private static final Path ROOT = Path.of("/tmp");
    private static final int HASH_HEX_DIGITS = 12;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final int OWNER_ONLY_MODE = 0700;
    private static final int PERMISSION_BITS = 07777;
    private static final int GROUP_AND_OTHER_BITS = 0077;

    private final String prefix;
    private final String providerName;
    private final String socketKind;
    private final String stateDirVariable;
    /** The variable that sets the socket directory, or {@code null} when it is always the default. */
    private final String socketDirVariable;

    private SocketDir(String prefix, String providerName, String socketKind, String stateDirVariable,
            String socketDirVariable) {
        this.prefix = prefix;
        this.providerName = providerName;
        this.socketKind = socketKind;
        this.stateDirVariable = stateDirVariable;
        this.socketDirVariable = socketDirVariable;
    }

    /**
     * Returns the socket directory of a provider that always uses {@link #defaultFor}. Its
     * messages name the state directory and {@code stateDirVariable}. Its parent must exist.
     *
     * @param prefix the start of the directory name, such as {@code mvq}
     * @param providerName the provider named in messages, such as {@code QEMU}
     * @param socketKind the sockets named in messages, such as {@code QMP}
     */
    public static SocketDir derived(String prefix, String providerName, String socketKind, String stateDirVariable) {
        return new SocketDir(prefix, providerName, socketKind, stateDirVariable, null);
    }

    /**
     * Returns the socket directory of a provider whose socket directory {@code socketDirVariable}
     * can set. {@link #prepare} creates its missing parents, and its messages name both variables.
     */
    public static SocketDir configurable(String prefix, String providerName, String socketKind,
            String stateDirVariable, String socketDirVariable) {
        return new SocketDir(prefix, providerName, socketKind, stateDirVariable, socketDirVariable);
    }

    /** Returns the default socket directory of {@code stateDir}, an absolute, normalized path. Touches no files. */
    public Path defaultFor(Path stateDir) {
        return ROOT.resolve(prefix + "-" + hashPrefix(stateDir.toString()));
    }

    /** Returns the socket {@code <vmId>.<slot><suffix>} of one launch slot of a VM. */
    public static Path socket(Path socketDir, String vmId, int slot, String suffix) {
        return socketDir.resolve(vmId + "." + slot + suffix);
    }

    /**
     * Creates the socket directory with mode 0700 when it is missing, and checks that it is
     * usable: a real directory (not a symbolic link) of this process's user, with no access for
     * group or others, whose {@value #STATE_DIR_FILE} file names {@code stateDir}. Writes that
     * file when it is missing.
     *
     * @return {@code socketDir}
     * @throws IOException when the directory cannot be created, or exists and fails a check. The
     *     message names the directory and what to do.
     */
    public Path prepare(Path socketDir, Path stateDir) throws IOException {
        if (createOwnerOnly(socketDir, stateDir)) {
            // The umask applies to createDirectory, so the mode is set again without it.
            Files.setPosixFilePermissions(socketDir, OWNER_ONLY);
        }

        requireOwnedPrivateDirectory(socketDir, stateDir);
        requireStateDirFile(socketDir, stateDir);
        return socketDir;
    }

    /**
     * Deletes the socket directory with everything in it, for a provider that stops with no VM
     * process running. Leaves a directory alone that fails the checks of {@link #prepare},
     * because it may belong to another state directory.
     *
     * @return the paths that could not be deleted, each with its error. Empty on success and
     *     when nothing was deleted.
     */
    public List<String> deleteIfOwned(Path socketDir, Path stateDir) {
        try {
            requireOwnedPrivateDirectory(socketDir, stateDir);
            if (!stateDir.toString().equals(readStateDirFile(socketDir))) {
                return List.of();
            }
        } catch (IOException e) {
            return List.of();
        }
        return FileTrees.deleteTree(socketDir);
    }

    private boolean createOwnerOnly(Path dir, Path stateDir) throws IOException {
        try {
            if (socketDirVariable != null) {
                Files.createDirectories(dir.getParent());
            }
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new IOException(createFailedMessage(dir, stateDir, e), e);
        }
    }

    private String createFailedMessage(Path dir, Path stateDir, IOException e) {
        if (socketDirVariable == null) {
            return "cannot create the socket directory " + dir + " (of " + stateDirVariable + " " + stateDir + "): "
                    + e;
        }
        return "cannot create the socket directory " + dir + ": " + e + "; set " + socketDirVariable
                + " to a writable directory";
    }

    private void requireOwnedPrivateDirectory(Path dir, Path stateDir) throws IOException {
        String subject = "socket directory " + dir;
        if (socketDirVariable == null) {
            subject += " (of " + stateDirVariable + " " + stateDir + ")";
        }

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
                    + " of this process, so another user could reach the " + socketKind
                    + " sockets; remove it and start again");
        }

        int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & PERMISSION_BITS;
        if ((mode & GROUP_AND_OTHER_BITS) != 0) {
            throw new IOException(subject + " has mode " + Integer.toOctalString(mode) + ", expected "
                    + Integer.toOctalString(OWNER_ONLY_MODE) + " so that only its owner can reach the " + socketKind
                    + " sockets; run chmod 700 " + dir + " or remove it, then start again");
        }
    }

    private void requireStateDirFile(Path dir, Path stateDir) throws IOException {
        String recorded = readStateDirFile(dir);
        if (recorded == null) {
            writeStateDirFile(dir, stateDir);
            return;
        }
        if (!recorded.equals(stateDir.toString())) {
            throw new IOException(stateDirMismatchMessage(dir, recorded, stateDir));
        }
    }

    private String stateDirMismatchMessage(Path dir, String recorded, Path stateDir) {
        String start = "socket directory " + dir + " belongs to the state directory " + recorded
                + " (recorded in " + dir.resolve(STATE_DIR_FILE) + "), not to ";
        String end = ", or remove " + dir + " if no " + providerName + " provider uses " + recorded + " any more";
        if (socketDirVariable == null) {
            return start + stateDirVariable + " " + stateDir + ", because both paths have the same SHA-256 prefix; set "
                    + stateDirVariable + " to another path" + end;
        }
        return start + stateDir + "; set " + socketDirVariable + " or " + stateDirVariable + " to another path" + end;
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
