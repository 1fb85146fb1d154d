package io.tangle.microvm.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QemuConfigTest {

    private static final Path STATE = Path.of("/var/lib/mvm/qemu");

    @Test
    void defaultsApplyWhenUnset() {
        QemuConfig config = QemuConfig.fromEnvironment(Map.of("HOME", "/home/op"), STATE);

        assertThat(config.binary()).isEqualTo("qemu-system-x86_64");
        assertThat(config.kernel()).isEqualTo(Path.of("/home/op/.cache/microvm-blueprint/guest/vmlinuz"));
        assertThat(config.initrd()).isEqualTo(Path.of("/home/op/.cache/microvm-blueprint/guest/initrd.img"));
        assertThat(config.vcpus()).isEqualTo(1);
        assertThat(config.memoryMib()).isEqualTo(256);
        assertThat(config.stateDir()).isEqualTo(STATE);
        assertThat(config.accelerator()).isEqualTo(AcceleratorMode.AUTO);
        assertThat(config.bootTimeout()).isEqualTo(Duration.ofMillis(30_000));
        assertThat(config.qmpTimeout()).isEqualTo(Duration.ofMillis(5_000));
        assertThat(config.snapshotTimeout()).isEqualTo(Duration.ofMillis(120_000));
        assertThat(config.stopTimeout()).isEqualTo(Duration.ofMillis(5_000));
    }

    @Test
    void imageDirectoryFollowsScriptDefaults() {
        assertThat(GuestImage.defaultDirectory(Map.of("MICROVM_IMAGE_DIR", "/img", "XDG_CACHE_HOME", "/xdg")))
                .isEqualTo(Path.of("/img"));
        assertThat(GuestImage.defaultDirectory(Map.of("XDG_CACHE_HOME", "/xdg", "HOME", "/home/op")))
                .isEqualTo(Path.of("/xdg/microvm-blueprint/guest"));
    }

    @Test
    void explicitValuesAreRead() {
        QemuConfig config = QemuConfig.fromEnvironment(Map.of(
                QemuConfig.BIN, "/opt/qemu/bin/qemu-system-x86_64",
                QemuConfig.KERNEL, "/k",
                QemuConfig.INITRD, "/i",
                QemuConfig.VCPUS, "2",
                QemuConfig.MEM_MIB, "512",
                QemuConfig.STATE_DIR, "/srv/q",
                QemuConfig.ACCEL, "tcg",
                QemuConfig.BOOT_TIMEOUT_MS, "1000",
                QemuConfig.SNAPSHOT_TIMEOUT_MS, "2000"), STATE);

        assertThat(config.binary()).isEqualTo("/opt/qemu/bin/qemu-system-x86_64");
        assertThat(config.kernel()).isEqualTo(Path.of("/k"));
        assertThat(config.vcpus()).isEqualTo(2);
        assertThat(config.memoryMib()).isEqualTo(512);
        assertThat(config.stateDir()).isEqualTo(Path.of("/srv/q"));
        assertThat(config.accelerator()).isEqualTo(AcceleratorMode.TCG);
        assertThat(config.bootTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.snapshotTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void invalidNumbersNameVariableValueAndRange() {
        assertThatThrownBy(() -> QemuConfig.fromEnvironment(Map.of(QemuConfig.VCPUS, "two"), STATE))
                .isInstanceOf(QemuConfigException.class)
                .hasMessageContaining(QemuConfig.VCPUS)
                .hasMessageContaining("'two'")
                .hasMessageContaining("from 1 to 255");
        assertThatThrownBy(() -> QemuConfig.fromEnvironment(Map.of(QemuConfig.MEM_MIB, "0"), STATE))
                .hasMessageContaining(QemuConfig.MEM_MIB)
                .hasMessageContaining("'0'");
        assertThatThrownBy(() -> QemuConfig.fromEnvironment(Map.of(QemuConfig.QMP_TIMEOUT_MS, "-5"), STATE))
                .hasMessageContaining(QemuConfig.QMP_TIMEOUT_MS)
                .hasMessageContaining("milliseconds");
        assertThatThrownBy(() -> QemuConfig.fromEnvironment(Map.of(QemuConfig.STOP_TIMEOUT_MS, "5s"), STATE))
                .hasMessageContaining(QemuConfig.STOP_TIMEOUT_MS)
                .hasMessageContaining("'5s'");
    }

    @Test
    void invalidAcceleratorIsRejected() {
        assertThatThrownBy(() -> QemuConfig.fromEnvironment(Map.of(QemuConfig.ACCEL, "hvf"), STATE))
                .isInstanceOf(QemuConfigException.class)
                .hasMessageContaining("'hvf'")
                .hasMessageContaining("auto, kvm or tcg");
    }

    @Test
    void emptyValueIsRejected() {
        assertThatThrownBy(() -> QemuConfig.fromEnvironment(Map.of(QemuConfig.MEM_MIB, ""), STATE))
                .isInstanceOf(QemuConfigException.class)
                .hasMessageContaining(QemuConfig.MEM_MIB)
                .hasMessageContaining("empty");
    }

    @Test
    void longStateDirIsAccepted() {
        String longDir = "/var/lib/blueprint-manager/data/svc-0-12/" + "d".repeat(200) + "/qemu";

        QemuConfig config = QemuConfig.fromEnvironment(Map.of(QemuConfig.STATE_DIR, longDir), STATE);

        assertThat(config.stateDir()).isEqualTo(Path.of(longDir));
    }

    @Test
    void stateDirBeyondPathMaxIsRejected() {
        String longDir = "/srv" + ("/" + "d".repeat(200)).repeat(20);

        assertThatThrownBy(() -> QemuConfig.fromEnvironment(Map.of(QemuConfig.STATE_DIR, longDir), STATE))
                .isInstanceOf(QemuConfigException.class)
                .hasMessageContaining(QemuConfig.STATE_DIR)
                .hasMessageContaining(longDir)
                .hasMessageContaining("Linux limit of 4095")
                .hasMessageContaining("at most 3947 bytes");
    }

    @Test
    void relativeStateDirIsRejected() {
        assertThatThrownBy(() -> QemuConfig.fromEnvironment(Map.of(QemuConfig.STATE_DIR, "data/qemu"), STATE))
                .isInstanceOf(QemuConfigException.class)
                .hasMessageContaining(QemuConfig.STATE_DIR)
                .hasMessageContaining("'data/qemu'")
                .hasMessageContaining("absolute path");
    }

    @Test
    void stateDirWithCommaAndQuoteIsAccepted() {
        String dir = "/srv/a,b/it's here";

        QemuConfig config = QemuConfig.fromEnvironment(Map.of(QemuConfig.STATE_DIR, dir), STATE);

        assertThat(config.stateDir()).isEqualTo(Path.of(dir));
    }

    @Test
    void maximumIdSocketFitsLongestStateDir() {
        Path longestDir = Path.of("/" + "d".repeat(200) + ("/" + "e".repeat(200)).repeat(18));
        QemuConfig config = QemuConfig.fromEnvironment(Map.of(QemuConfig.STATE_DIR, longestDir.toString()), STATE);
        String maximumId = "v".repeat(64);

        VmPaths.LaunchSockets sockets = VmPaths.of(config.stateDir(), maximumId).sockets(1);

        assertThat(bytes(sockets.qmp())).isLessThanOrEqualTo(QemuSocketDir.MAX_SOCKET_PATH_BYTES);
        assertThat(bytes(sockets.console())).isLessThanOrEqualTo(QemuSocketDir.MAX_SOCKET_PATH_BYTES);
    }

    private static int bytes(Path path) {
        return path.toString().getBytes(StandardCharsets.UTF_8).length;
    }
}
