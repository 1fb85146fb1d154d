package io.tangle.microvm.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks of the rule by which the orphan scan treats a socket path as its own. */
class ProcessScannerTest {

    @TempDir
    Path stateDir;

    @TempDir
    Path elsewhere;

    private Path socketDir;

    @BeforeEach
    void deriveSocketDir() {
        stateDir = stateDir.toAbsolutePath().normalize();
        socketDir = QemuSocketDir.pathFor(stateDir);
    }

    @Test
    void ownSocketMustLieDirectlyInSocketDir() {
        assertThat(ProcessScanner.isOwnSocket(socketDir.resolve("vm-a.0.qmp"), socketDir)).isTrue();
        assertThat(ProcessScanner.isOwnSocket(Path.of(socketDir + "x/vm-a.0.qmp"), socketDir)).isFalse();
        assertThat(ProcessScanner.isOwnSocket(socketDir.resolve("sub/vm-a.0.qmp"), socketDir)).isFalse();
        assertThat(ProcessScanner.isOwnSocket(QemuSocketDir.pathFor(elsewhere).resolve("vm-a.0.qmp"), socketDir)).isFalse();
        assertThat(ProcessScanner.isOwnSocket(stateDir.resolve("vm-a/qmp0.sock"), socketDir)).isFalse();
        assertThat(ProcessScanner.isOwnSocket(Path.of("vm-a.0.qmp"), socketDir)).isFalse();
    }
}
