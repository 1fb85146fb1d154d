package io.tangle.microvm.provider.support;

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

    /** The state directory variable of the QEMU provider, whose message form these tests check. */
    private static final String STATE_DIR_VARIABLE = "MICROVM_QEMU_STATE_DIR";

    private static final SocketDir SOCKETS = SocketDir.derived("mvq", "QEMU", "QMP", STATE_DIR_VARIABLE);

    @TempDir
    Path stateDir;

    @TempDir
    Path elsewhere;

    private Path socketDir;

    @BeforeEach
    void deriveSocketDir() {
        stateDir = stateDir.toAbsolutePath().normalize();
        socketDir = SOCKETS.defaultFor(stateDir);
    }

    @AfterEach
    void deleteSocketDir() {
        FileTrees.deleteTree(socketDir);
    }

    @Test
    void pathDependsOnlyOnStateDir() {
        Path other = stateDir.resolve("other");

        assertThat(SOCKETS.defaultFor(stateDir)).isEqualTo(socketDir);
        assertThat(SOCKETS.defaultFor(other)).isNotEqualTo(socketDir);
        assertThat(socketDir.toString()).matches("/tmp/mvq-[0-9a-f]{12}");
        assertThat(socketDir).doesNotExist();
    }

    @Test
    void prepareCreatesOwnerOnlyDirectory() throws IOException {
        Path prepared = SOCKETS.prepare(socketDir, stateDir);

        assertThat(prepared).isEqualTo(socketDir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socketDir))).isEqualTo("rwx------");
        assertThat(Files.readString(socketDir.resolve(SocketDir.STATE_DIR_FILE), StandardCharsets.UTF_8))
                .isEqualTo(stateDir + "\n");
    }

    @Test
    void prepareAcceptsItsOwnDirectoryAgain() throws IOException {
        SOCKETS.prepare(socketDir, stateDir);
        Path socket = SocketDir.socket(socketDir, "vm-a", 0, ".qmp");
        Files.createFile(socket);

        Path prepared = SOCKETS.prepare(socketDir, stateDir);

        assertThat(prepared).isEqualTo(socketDir);
        assertThat(socket).exists();
    }

    @Test
    void prepareRejectsRegularFile() throws IOException {
        Files.createFile(socketDir);

        assertThatThrownBy(() -> SOCKETS.prepare(socketDir, stateDir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(socketDir.toString())
                .hasMessageContaining(STATE_DIR_VARIABLE)
                .hasMessageContaining("not a directory");
    }

    @Test
    void prepareRejectsSymbolicLink() throws IOException {
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(socketDir, elsewhere);

        assertThatThrownBy(() -> SOCKETS.prepare(socketDir, stateDir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(socketDir.toString())
                .hasMessageContaining("symbolic link");
        assertThat(elsewhere.resolve(SocketDir.STATE_DIR_FILE)).doesNotExist();
    }

    @Test
    void prepareRejectsGroupAndOtherAccess() throws IOException {
        Files.createDirectory(socketDir);
        Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThatThrownBy(() -> SOCKETS.prepare(socketDir, stateDir))
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

        assertThatThrownBy(() -> SOCKETS.prepare(socketDir, stateDir))
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

        assertThatThrownBy(() -> SOCKETS.prepare(socketDir, stateDir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(socketDir.toString())
                .hasMessageContaining(otherStateDir.toString())
                .hasMessageContaining(STATE_DIR_VARIABLE + " " + stateDir)
                .hasMessageContaining("same SHA-256 prefix");
    }

    @Test
    void deleteRemovesOwnDirectory() throws IOException {
        SOCKETS.prepare(socketDir, stateDir);
        Files.createFile(SocketDir.socket(socketDir, "vm-a", 1, ".con"));

        assertThat(SOCKETS.deleteIfOwned(socketDir, stateDir)).isEmpty();
        assertThat(socketDir).doesNotExist();
    }

    @Test
    void deleteKeepsDirectoryOfAnotherStateDir() throws IOException {
        Files.createDirectory(socketDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(socketDir.resolve(SocketDir.STATE_DIR_FILE), stateDir.resolve("colliding") + "\n");

        assertThat(SOCKETS.deleteIfOwned(socketDir, stateDir)).isEmpty();
        assertThat(socketDir.resolve(SocketDir.STATE_DIR_FILE)).exists();
    }

    @Test
    void configurablePrepareCreatesMissingParents() throws IOException {
        SocketDir configurable = SocketDir.configurable("mvf", "Firecracker", "API", STATE_DIR_VARIABLE, "SOCKET_DIR");
        Path nested = elsewhere.resolve("a/b/sockets");

        configurable.prepare(nested, stateDir);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested))).isEqualTo("rwx------");
        assertThat(configurable.defaultFor(stateDir).toString()).matches("/tmp/mvf-[0-9a-f]{12}");
    }

    @Test
    void configurableRejectsDirectoryOfAnotherStateDir() throws IOException {
        SocketDir configurable = SocketDir.configurable("mvf", "Firecracker", "API", STATE_DIR_VARIABLE, "SOCKET_DIR");
        Path otherStateDir = stateDir.resolve("colliding");
        Files.createDirectory(socketDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(socketDir.resolve(SocketDir.STATE_DIR_FILE), otherStateDir + "\n");

        assertThatThrownBy(() -> configurable.prepare(socketDir, stateDir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(otherStateDir.toString())
                .hasMessageContaining("set SOCKET_DIR or " + STATE_DIR_VARIABLE + " to another path")
                .hasMessageContaining("no Firecracker provider uses");
    }
}
