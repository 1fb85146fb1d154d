package io.tangle.microvm.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Creation, ownership and collision checks of the socket directory, on real directories in /tmp. */
class SocketDirTest {

    /** The uid of the user nobody on Debian and most other distributions. */
    private static final int OTHER_UID = 65534;

    @TempDir
    Path stateDir;

    @TempDir
    Path elsewhere;

    private Path socketDir;

    @BeforeEach
    void deriveSocketDir() {
        stateDir = stateDir.toAbsolutePath().normalize();
        socketDir = SocketDir.pathFor(stateDir);
    }

    @AfterEach
    void deleteSocketDir() {
        FileTrees.deleteTree(socketDir);
    }

    @Test
    void pathDependsOnlyOnStateDir() {
        Path other = stateDir.resolve("other");

        assertThat(SocketDir.pathFor(stateDir)).isEqualTo(socketDir);
        assertThat(SocketDir.pathFor(other)).isNotEqualTo(socketDir);
        assertThat(socketDir.toString()).matches("/tmp/mvq-[0-9a-f]{12}");
        assertThat(socketDir).doesNotExist();
    }

    @Test
    void prepareCreatesOwnerOnlyDirectory() throws IOException {
        Path prepared = SocketDir.prepare(stateDir);

        assertThat(prepared).isEqualTo(socketDir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socketDir))).isEqualTo("rwx------");
        assertThat(Files.readString(socketDir.resolve(SocketDir.STATE_DIR_FILE), StandardCharsets.UTF_8))
                .isEqualTo(stateDir + "\n");
    }

    @Test
    void prepareAcceptsItsOwnDirectoryAgain() throws IOException {
        SocketDir.prepare(stateDir);
        Path socket = SocketDir.socket(socketDir, "vm-a", 0, SocketDir.QMP_SUFFIX);
        Files.createFile(socket);

        Path prepared = SocketDir.prepare(stateDir);

        assertThat(prepared).isEqualTo(socketDir);
        assertThat(socket).exists();
    }

    @Test
    void prepareRejectsRegularFile() throws IOException {
        Files.createFile(socketDir);

        assertThatThrownBy(() -> SocketDir.prepare(stateDir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(socketDir.toString())
                .hasMessageContaining(QemuConfig.STATE_DIR)
                .hasMessageContaining("not a directory");
    }

    @Test
    void prepareRejectsSymbolicLink() throws IOException {
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(socketDir, elsewhere);

        assertThatThrownBy(() -> SocketDir.prepare(stateDir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(socketDir.toString())
                .hasMessageContaining("symbolic link");
        assertThat(elsewhere.resolve(SocketDir.STATE_DIR_FILE)).doesNotExist();
    }

    @Test
    void prepareRejectsGroupAndOtherAccess() throws IOException {
        Files.createDirectory(socketDir);
        Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThatThrownBy(() -> SocketDir.prepare(stateDir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(socketDir.toString())
                .hasMessageContaining("mode 755")
                .hasMessageContaining("chmod 700");
        assertThat(socketDir.resolve(SocketDir.STATE_DIR_FILE)).doesNotExist();
    }

    @Test
    void prepareRejectsDirectoryOfAnotherUser() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "giving a directory to another user needs root");
        Files.createDirectory(socketDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setAttribute(socketDir, "unix:uid", OTHER_UID, LinkOption.NOFOLLOW_LINKS);

        assertThatThrownBy(() -> SocketDir.prepare(stateDir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(socketDir.toString())
                .hasMessageContaining("belongs to uid " + OTHER_UID);
        assertThat(socketDir.resolve(SocketDir.STATE_DIR_FILE)).doesNotExist();
    }

    @Test
    void prepareRejectsDirectoryOfAnotherStateDir() throws IOException {
        Path otherStateDir = stateDir.resolve("colliding");
        Files.createDirectory(socketDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(socketDir.resolve(SocketDir.STATE_DIR_FILE), otherStateDir + "\n");

        assertThatThrownBy(() -> SocketDir.prepare(stateDir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(socketDir.toString())
                .hasMessageContaining(otherStateDir.toString())
                .hasMessageContaining(QemuConfig.STATE_DIR + " " + stateDir)
                .hasMessageContaining("same SHA-256 prefix");
    }

    @Test
    void deleteRemovesOwnDirectory() throws IOException {
        SocketDir.prepare(stateDir);
        Files.createFile(SocketDir.socket(socketDir, "vm-a", 1, SocketDir.CONSOLE_SUFFIX));

        assertThat(SocketDir.deleteIfOwned(stateDir)).isEmpty();
        assertThat(socketDir).doesNotExist();
    }

    @Test
    void deleteKeepsDirectoryOfAnotherStateDir() throws IOException {
        Files.createDirectory(socketDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(socketDir.resolve(SocketDir.STATE_DIR_FILE), stateDir.resolve("colliding") + "\n");

        assertThat(SocketDir.deleteIfOwned(stateDir)).isEmpty();
        assertThat(socketDir.resolve(SocketDir.STATE_DIR_FILE)).exists();
    }

    @Test
    void ownSocketMustLieDirectlyInSocketDir() {
        assertThat(ProcessScanner.isOwnSocket(socketDir.resolve("vm-a.0.qmp"), socketDir)).isTrue();
        assertThat(ProcessScanner.isOwnSocket(Path.of(socketDir + "x/vm-a.0.qmp"), socketDir)).isFalse();
        assertThat(ProcessScanner.isOwnSocket(socketDir.resolve("sub/vm-a.0.qmp"), socketDir)).isFalse();
        assertThat(ProcessScanner.isOwnSocket(SocketDir.pathFor(elsewhere).resolve("vm-a.0.qmp"), socketDir)).isFalse();
        assertThat(ProcessScanner.isOwnSocket(stateDir.resolve("vm-a/qmp0.sock"), socketDir)).isFalse();
        assertThat(ProcessScanner.isOwnSocket(Path.of("vm-a.0.qmp"), socketDir)).isFalse();
    }
}
