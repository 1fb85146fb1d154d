package io.tangle.microvm.provider.firecracker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsSwapTest {

    @TempDir
    Path stateDir;

    private VmPaths paths;
    private SnapshotInfo.SnapshotFile snapshotDisk;

    @BeforeEach
    void createFiles() throws Exception {
        paths = VmPaths.of(stateDir, Path.of("/tmp/unused"), "vm-1");
        Files.createDirectories(paths.snapshotsDir());
        Files.writeString(paths.rootfsCopy(), "current disk");
        Files.writeString(paths.snapshotDisk("s1"), "snapshot disk");
        snapshotDisk = new SnapshotInfo.SnapshotFile(paths.snapshotDisk("s1"), 13, "unused");
    }

    @Test
    void swapInThenCommitKeepsSnapshotDisk() throws Exception {
        RootfsSwap.swapIn(paths, snapshotDisk, Duration.ofSeconds(10));
        RootfsSwap.commit(paths);

        assertThat(paths.rootfsCopy()).hasContent("snapshot disk");
        assertThat(paths.rootfsReplaced()).doesNotExist();
        assertThat(paths.rootfsRestoring()).doesNotExist();
        assertThat(paths.snapshotDisk("s1")).hasContent("snapshot disk");
    }

    @Test
    void swapInThenRollBackKeepsCurrentDisk() throws Exception {
        RootfsSwap.swapIn(paths, snapshotDisk, Duration.ofSeconds(10));
        RootfsSwap.rollBack(paths);

        assertThat(paths.rootfsCopy()).hasContent("current disk");
        assertThat(paths.rootfsReplaced()).doesNotExist();
    }

    @Test
    void recoveryUndoesUnrecordedSwap() throws Exception {
        RootfsSwap.swapIn(paths, snapshotDisk, Duration.ofSeconds(10));

        RootfsSwap.recover(paths, true);

        assertThat(paths.rootfsCopy()).hasContent("current disk");
        assertThat(paths.rootfsReplaced()).doesNotExist();
    }

    @Test
    void recoveryCommitsRecordedSwap() throws Exception {
        RootfsSwap.swapIn(paths, snapshotDisk, Duration.ofSeconds(10));

        RootfsSwap.recover(paths, false);

        assertThat(paths.rootfsCopy()).hasContent("snapshot disk");
        assertThat(paths.rootfsReplaced()).doesNotExist();
    }
}
