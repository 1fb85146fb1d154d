package io.tangle.microvm.provider.firecracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FirecrackerConfigTest {

    private static final Path DEFAULT_STATE = Path.of("/var/lib/microvm/firecracker");

    private static FirecrackerConfig parse(Map<String, String> env) {
        return FirecrackerConfig.fromEnvironment(env, DEFAULT_STATE);
    }

    @Test
    void defaultsMatchUpstreamAdapter() {
        FirecrackerConfig config = parse(Map.of());

        assertThat(config.binary()).isEqualTo(Path.of("/usr/local/bin/firecracker"));
        assertThat(config.kernel()).isEqualTo(Path.of("/var/lib/firecracker/vmlinux"));
        assertThat(config.rootfs()).isEqualTo(Path.of("/var/lib/firecracker/rootfs/default.ext4"));
        assertThat(config.bootArgs()).isEqualTo("console=ttyS0 reboot=k panic=1 pci=off quiet i8042.nokbd i8042.noaux");
        assertThat(config.vcpuCount()).isEqualTo(2);
        assertThat(config.memSizeMib()).isEqualTo(1024);
        assertThat(config.rootfsReadOnly()).isTrue();
        assertThat(config.apiTimeout()).isEqualTo(Duration.ofMillis(5000));
        assertThat(config.socketReadyTimeout()).isEqualTo(Duration.ofMillis(5000));
        assertThat(config.snapshotTimeout()).isEqualTo(Duration.ofMillis(120_000));
        assertThat(config.stopTimeout()).isEqualTo(Duration.ofMillis(5000));
    }

    @Test
    void stateDirDefaultComesFromCaller() {
        FirecrackerConfig config = parse(Map.of());

        assertThat(config.stateDir()).isEqualTo(DEFAULT_STATE);
        assertThat(config.socketDir()).isEqualTo(FirecrackerSocketDir.defaultFor(DEFAULT_STATE));
        assertThat(config.socketDir().toString()).matches("/tmp/mvf-[0-9a-f]{12}");
    }

    @Test
    void variablesOverrideDefaults() {
        FirecrackerConfig config = parse(Map.ofEntries(
                Map.entry(FirecrackerConfig.BIN, "/opt/fc/firecracker"),
                Map.entry(FirecrackerConfig.KERNEL, "/images/vmlinux"),
                Map.entry(FirecrackerConfig.ROOTFS, "/images/rootfs.ext4"),
                Map.entry(FirecrackerConfig.BOOT_ARGS, "console=ttyS0"),
                Map.entry(FirecrackerConfig.SOCKET_DIR, "/run/fc"),
                Map.entry(FirecrackerConfig.STATE_DIR, "/srv/fc"),
                Map.entry(FirecrackerConfig.VCPU_COUNT, "32"),
                Map.entry(FirecrackerConfig.MEM_MIB, "256"),
                Map.entry(FirecrackerConfig.ROOTFS_RO, "false"),
                Map.entry(FirecrackerConfig.API_TIMEOUT_MS, "250"),
                Map.entry(FirecrackerConfig.SOCKET_READY_TIMEOUT_MS, "750"),
                Map.entry(FirecrackerConfig.SNAPSHOT_TIMEOUT_MS, "9000"),
                Map.entry(FirecrackerConfig.STOP_TIMEOUT_MS, "1500")));

        assertThat(config.binary()).isEqualTo(Path.of("/opt/fc/firecracker"));
        assertThat(config.kernel()).isEqualTo(Path.of("/images/vmlinux"));
        assertThat(config.rootfs()).isEqualTo(Path.of("/images/rootfs.ext4"));
        assertThat(config.bootArgs()).isEqualTo("console=ttyS0");
        assertThat(config.socketDir()).isEqualTo(Path.of("/run/fc"));
        assertThat(config.stateDir()).isEqualTo(Path.of("/srv/fc"));
        assertThat(config.vcpuCount()).isEqualTo(32);
        assertThat(config.memSizeMib()).isEqualTo(256);
        assertThat(config.rootfsReadOnly()).isFalse();
        assertThat(config.apiTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.socketReadyTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(config.snapshotTimeout()).isEqualTo(Duration.ofMillis(9000));
        assertThat(config.stopTimeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @ParameterizedTest
    @CsvSource({"true,true", "TRUE,true", "True,true", "1,true", "false,false", "FALSE,false", "0,false"})
    void rootfsReadOnlyAcceptsBooleans(String value, boolean expected) {
        assertThat(parse(Map.of(FirecrackerConfig.ROOTFS_RO, value)).rootfsReadOnly()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "MICROVM_FIRECRACKER_ROOTFS_RO|ture|expected true, false, 1 or 0 (default true)",
            "MICROVM_FIRECRACKER_ROOTFS_RO|yes|expected true, false, 1 or 0 (default true)",
            "MICROVM_FIRECRACKER_VCPU_COUNT|0|expected a whole number from 1 to 32 (default 2)",
            "MICROVM_FIRECRACKER_VCPU_COUNT|33|expected a whole number from 1 to 32 (default 2)",
            "MICROVM_FIRECRACKER_VCPU_COUNT|two|expected a whole number from 1 to 32 (default 2)",
            "MICROVM_FIRECRACKER_MEM_MIB|-1|expected a whole number from 1 to 1048576 (default 1024)",
            "MICROVM_FIRECRACKER_MEM_MIB|1G|expected a whole number from 1 to 1048576 (default 1024)",
            "MICROVM_FIRECRACKER_API_TIMEOUT_MS|0|expected milliseconds from 1 to 86400000 (default 5000)",
            "MICROVM_FIRECRACKER_SOCKET_READY_TIMEOUT_MS|5s|expected milliseconds from 1 to 86400000 (default 5000)",
            "MICROVM_FIRECRACKER_SNAPSHOT_TIMEOUT_MS|-5|expected milliseconds from 1 to 86400000 (default 120000)",
            "MICROVM_FIRECRACKER_STOP_TIMEOUT_MS|abc|expected milliseconds from 1 to 86400000 (default 5000)"})
    void invalidValueIsRejected(String name, String value, String allowed) {
        assertThatThrownBy(() -> parse(Map.of(name, value)))
                .isInstanceOf(FirecrackerConfigException.class)
                .hasMessage(name + " '" + value + "' is invalid: " + allowed);
    }

    @Test
    void emptyValueIsRejected() {
        assertThatThrownBy(() -> parse(Map.of(FirecrackerConfig.KERNEL, " ")))
                .isInstanceOf(FirecrackerConfigException.class)
                .hasMessage(FirecrackerConfig.KERNEL + " is set but empty: unset it to use the default, or give a value");
    }

    @Test
    void relativeStateDirIsRejected() {
        assertThatThrownBy(() -> parse(Map.of(FirecrackerConfig.STATE_DIR, "state")))
                .isInstanceOf(FirecrackerConfigException.class)
                .hasMessageContaining(FirecrackerConfig.STATE_DIR + " 'state' is a relative path");
    }

    @Test
    void tooLongSocketDirIsRejected() {
        String longDir = "/tmp/" + "d".repeat(40);

        assertThatThrownBy(() -> parse(Map.of(FirecrackerConfig.SOCKET_DIR, longDir)))
                .isInstanceOf(FirecrackerConfigException.class)
                .hasMessageContaining(FirecrackerConfig.SOCKET_DIR + " '" + longDir + "' is too long (45 bytes)")
                .hasMessageContaining("at most 35 bytes");
    }

    @Test
    void defaultSocketPathFitsLimit() {
        FirecrackerConfig config = parse(Map.of(FirecrackerConfig.STATE_DIR, "/" + "s".repeat(3000)));
        Path longest = FirecrackerSocketDir.socket(config.socketDir(), "x".repeat(64), 1);

        assertThat(longest.toString().length()).isLessThanOrEqualTo(FirecrackerSocketDir.MAX_SOCKET_PATH_BYTES);
    }
}
