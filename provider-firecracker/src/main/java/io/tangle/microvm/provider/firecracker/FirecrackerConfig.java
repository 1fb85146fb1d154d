package io.tangle.microvm.provider.firecracker;

import io.tangle.microvm.runtime.ResourceIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the Firecracker provider, read once from environment variables.
 *
 * <p>The variables and defaults are those of the upstream Rust adapter, with these deliberate
 * differences:
 * <ul>
 *   <li>An invalid number or boolean is rejected with a message that names the variable, the
 *       value and the allowed values. The upstream adapter silently uses the default for an
 *       invalid number and reads any unrecognised boolean as false, so a typo such as
 *       {@code MICROVM_FIRECRACKER_ROOTFS_RO=ture} made every VM write to the shared rootfs.
 *   <li>The state directory default comes from the caller, such as {@code <DATA_DIR>/firecracker}.
 *   <li>Without {@code MICROVM_FIRECRACKER_SOCKET_DIR}, the API sockets live in
 *       {@code /tmp/mvf-<hash of the state directory>} ({@link FirecrackerSocketDir}), so two operators with
 *       different state directories never share a socket directory.
 *   <li>Two new variables bound the long steps: {@code MICROVM_FIRECRACKER_SNAPSHOT_TIMEOUT_MS}
 *       and {@code MICROVM_FIRECRACKER_STOP_TIMEOUT_MS}.
 * </ul>
 *
 * @param binary the Firecracker executable
 * @param kernel the uncompressed guest kernel ({@code vmlinux})
 * @param rootfs the root file system image
 * @param bootArgs the guest kernel command line
 * @param socketDir the directory of the API sockets, as an absolute path short enough for the
 *     Unix socket path limit with the longest VM id
 * @param stateDir the directory that contains one subdirectory per VM, as an absolute path
 * @param vcpuCount virtual CPUs per guest
 * @param memSizeMib guest memory in MiB
 * @param rootfsReadOnly whether guests share {@code rootfs} read-only. When false, each VM gets its
 *     own copy of it
 * @param apiTimeout the bound of one API call (connect, send and receive)
 * @param socketReadyTimeout how long a new Firecracker process may take to reply to {@code GET /}
 * @param snapshotTimeout the bound of {@code PUT /snapshot/create}, {@code PUT /snapshot/load}
 *     and each copy of a rootfs image
 * @param stopTimeout how long to wait for a Firecracker process to exit after each of
 *     {@code SendCtrlAltDel}, SIGTERM and SIGKILL
 */
public record FirecrackerConfig(
        Path binary,
        Path kernel,
        Path rootfs,
        String bootArgs,
        Path socketDir,
        Path stateDir,
        int vcpuCount,
        int memSizeMib,
        boolean rootfsReadOnly,
        Duration apiTimeout,
        Duration socketReadyTimeout,
        Duration snapshotTimeout,
        Duration stopTimeout) {

    public static final String BIN = "MICROVM_FIRECRACKER_BIN";
    public static final String KERNEL = "MICROVM_FIRECRACKER_KERNEL";
    public static final String ROOTFS = "MICROVM_FIRECRACKER_ROOTFS";
    public static final String BOOT_ARGS = "MICROVM_FIRECRACKER_BOOT_ARGS";
    public static final String SOCKET_DIR = "MICROVM_FIRECRACKER_SOCKET_DIR";
    public static final String STATE_DIR = "MICROVM_FIRECRACKER_STATE_DIR";
    public static final String VCPU_COUNT = "MICROVM_FIRECRACKER_VCPU_COUNT";
    public static final String MEM_MIB = "MICROVM_FIRECRACKER_MEM_MIB";
    public static final String ROOTFS_RO = "MICROVM_FIRECRACKER_ROOTFS_RO";
    public static final String API_TIMEOUT_MS = "MICROVM_FIRECRACKER_API_TIMEOUT_MS";
    public static final String SOCKET_READY_TIMEOUT_MS = "MICROVM_FIRECRACKER_SOCKET_READY_TIMEOUT_MS";
    public static final String SNAPSHOT_TIMEOUT_MS = "MICROVM_FIRECRACKER_SNAPSHOT_TIMEOUT_MS";
    public static final String STOP_TIMEOUT_MS = "MICROVM_FIRECRACKER_STOP_TIMEOUT_MS";

    public static final Path DEFAULT_BINARY = Path.of("/usr/local/bin/firecracker");
    public static final Path DEFAULT_KERNEL = Path.of("/var/lib/firecracker/vmlinux");
    public static final Path DEFAULT_ROOTFS = Path.of("/var/lib/firecracker/rootfs/default.ext4");
    public static final String DEFAULT_BOOT_ARGS = "console=ttyS0 reboot=k panic=1 pci=off quiet i8042.nokbd i8042.noaux";

    /** Maximum length in bytes of a file path on Linux: {@code PATH_MAX} is 4096, including the terminating NUL. */
    static final int MAX_PATH_BYTES = 4095;

    // The Firecracker API definition (v1.16.1, MachineConfiguration.vcpu_count) allows 1 to 32.
    private static final int MAX_VCPUS = 32;
    // 1 TiB is far beyond any microVM and catches unit mistakes such as a size in bytes.
    private static final int MAX_MEMORY_MIB = 1024 * 1024;
    private static final long MAX_TIMEOUT_MS = Duration.ofDays(1).toMillis();

    public FirecrackerConfig {
        Objects.requireNonNull(binary, "binary");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(rootfs, "rootfs");
        Objects.requireNonNull(bootArgs, "bootArgs");
        Objects.requireNonNull(socketDir, "socketDir");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(apiTimeout, "apiTimeout");
        Objects.requireNonNull(socketReadyTimeout, "socketReadyTimeout");
        Objects.requireNonNull(snapshotTimeout, "snapshotTimeout");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        stateDir = stateDir.toAbsolutePath().normalize();
        socketDir = socketDir.normalize();
        requireSocketDirFits(socketDir);
        requireStateDirFits(stateDir);
    }

    /**
     * Reads the settings from {@code env}, which is usually {@link System#getenv()}.
     *
     * @param defaultStateDir the state directory when {@code MICROVM_FIRECRACKER_STATE_DIR} is
     *     unset, such as {@code <DATA_DIR>/firecracker}
     * @throws FirecrackerConfigException for a value that is set but invalid, including an empty
     *     value. The message names the variable, the value and what is allowed.
     */
    public static FirecrackerConfig fromEnvironment(Map<String, String> env, Path defaultStateDir) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(defaultStateDir, "defaultStateDir");
        Path stateDir = absolutePath(env, STATE_DIR, defaultStateDir).toAbsolutePath().normalize();
        return new FirecrackerConfig(
                path(env, BIN, DEFAULT_BINARY),
                path(env, KERNEL, DEFAULT_KERNEL),
                path(env, ROOTFS, DEFAULT_ROOTFS),
                string(env, BOOT_ARGS, DEFAULT_BOOT_ARGS),
                absolutePath(env, SOCKET_DIR, FirecrackerSocketDir.defaultFor(stateDir)),
                stateDir,
                integer(env, VCPU_COUNT, 2, 1, MAX_VCPUS),
                integer(env, MEM_MIB, 1024, 1, MAX_MEMORY_MIB),
                bool(env, ROOTFS_RO, true),
                millis(env, API_TIMEOUT_MS, 5_000),
                millis(env, SOCKET_READY_TIMEOUT_MS, 5_000),
                millis(env, SNAPSHOT_TIMEOUT_MS, 120_000),
                millis(env, STOP_TIMEOUT_MS, 5_000));
    }

    /** Returns a copy with other timeouts. */
    public FirecrackerConfig withTimeouts(Duration newApi, Duration newSocketReady, Duration newSnapshot,
            Duration newStop) {
        return new FirecrackerConfig(binary, kernel, rootfs, bootArgs, socketDir, stateDir, vcpuCount, memSizeMib,
                rootfsReadOnly, newApi, newSocketReady, newSnapshot, newStop);
    }

    /** Returns a copy with another Firecracker executable. */
    public FirecrackerConfig withBinary(Path newBinary) {
        return new FirecrackerConfig(newBinary, kernel, rootfs, bootArgs, socketDir, stateDir, vcpuCount, memSizeMib,
                rootfsReadOnly, apiTimeout, socketReadyTimeout, snapshotTimeout, stopTimeout);
    }

    /**
     * Rejects a socket directory in which the socket of a VM with a maximum-length id would pass
     * the Unix socket path limit, so the error comes at start and not as a timeout at the first
     * create.
     */
    private static void requireSocketDirFits(Path socketDir) {
        if (!socketDir.isAbsolute()) {
            throw new FirecrackerConfigException(SOCKET_DIR + " '" + socketDir + "' is a relative path: set an "
                    + "absolute path, because Firecracker and a restarted provider must find the same sockets");
        }
        String longestId = "x".repeat(ResourceIds.MAX_LENGTH);
        Path longest = FirecrackerSocketDir.socket(socketDir, longestId, 1);
        int length = longest.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > FirecrackerSocketDir.MAX_SOCKET_PATH_BYTES) {
            int dirBytes = socketDir.toString().getBytes(StandardCharsets.UTF_8).length;
            int allowed = dirBytes - (length - FirecrackerSocketDir.MAX_SOCKET_PATH_BYTES);
            throw new FirecrackerConfigException(SOCKET_DIR + " '" + socketDir + "' is too long (" + dirBytes
                    + " bytes): the API socket of a VM with a " + ResourceIds.MAX_LENGTH + "-character id would have "
                    + length + " bytes, over the Linux limit of " + FirecrackerSocketDir.MAX_SOCKET_PATH_BYTES
                    + "; set it to an absolute path of at most " + allowed + " bytes, or unset it");
        }
    }

    /**
     * Rejects a state directory so long that the deepest file of a VM with maximum-length ids
     * would pass {@code PATH_MAX}, so the error comes at start and not at the first snapshot.
     */
    private static void requireStateDirFits(Path stateDir) {
        String longestId = "x".repeat(ResourceIds.MAX_LENGTH);
        Path longestFile = VmPaths.of(stateDir, Path.of("/"), longestId).longestFilePath();
        int length = longestFile.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_PATH_BYTES) {
            int stateDirBytes = stateDir.toString().getBytes(StandardCharsets.UTF_8).length;
            int allowed = stateDirBytes - (length - MAX_PATH_BYTES);
            throw new FirecrackerConfigException(STATE_DIR + " '" + stateDir + "' is too long (" + stateDirBytes
                    + " bytes): the snapshot files of VMs with " + ResourceIds.MAX_LENGTH
                    + "-character ids would have paths of " + length + " bytes, over the Linux limit of "
                    + MAX_PATH_BYTES + "; set " + STATE_DIR + " to an absolute path of at most " + allowed + " bytes");
        }
    }

    private static String raw(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value != null && value.isBlank()) {
            throw new FirecrackerConfigException(name + " is set but empty: unset it to use the default, or give a value");
        }
        return value;
    }

    private static String string(Map<String, String> env, String name, String fallback) {
        String value = raw(env, name);
        return value == null ? fallback : value;
    }

    private static Path path(Map<String, String> env, String name, Path fallback) {
        String value = raw(env, name);
        if (value == null) {
            return fallback;
        }
        if (value.indexOf('\0') >= 0 || value.indexOf('\n') >= 0) {
            throw new FirecrackerConfigException(name + " '" + value.replace("\n", "\\n").replace("\0", "\\0")
                    + "' is invalid: a path must not contain NUL or newline characters");
        }
        return Path.of(value);
    }

    /**
     * Reads a directory that a restarted provider must find again. A relative value is rejected
     * because it would depend on the working directory of the operator.
     */
    private static Path absolutePath(Map<String, String> env, String name, Path fallback) {
        Path value = path(env, name, fallback);
        if (env.get(name) != null && !value.isAbsolute()) {
            throw new FirecrackerConfigException(name + " '" + value + "' is a relative path: set an absolute path, "
                    + "because the provider finds its running VMs after a restart by that path");
        }
        return value;
    }

    private static int integer(Map<String, String> env, String name, int fallback, int min, int max) {
        String value = raw(env, name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Reported below with the allowed range.
        }
        throw new FirecrackerConfigException(name + " '" + value + "' is invalid: expected a whole number from " + min
                + " to " + max + " (default " + fallback + ")");
    }

    private static boolean bool(Map<String, String> env, String name, boolean fallback) {
        String value = raw(env, name);
        if (value == null) {
            return fallback;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true" -> true;
            case "0", "false" -> false;
            default -> throw new FirecrackerConfigException(name + " '" + value + "' is invalid: expected true, false, "
                    + "1 or 0 (default " + fallback + ")");
        };
    }

    private static Duration millis(Map<String, String> env, String name, long fallback) {
        String value = raw(env, name);
        if (value == null) {
            return Duration.ofMillis(fallback);
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed >= 1 && parsed <= MAX_TIMEOUT_MS) {
                return Duration.ofMillis(parsed);
            }
        } catch (NumberFormatException e) {
            // Reported below with the allowed range.
        }
        throw new FirecrackerConfigException(name + " '" + value + "' is invalid: expected milliseconds from 1 to "
                + MAX_TIMEOUT_MS + " (default " + fallback + ")");
    }
}
