package io.tangle.microvm.provider.qemu;

import io.tangle.microvm.runtime.ResourceIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the QEMU provider, read once from environment variables.
 *
 * @param binary the QEMU executable: a command name looked up on {@code PATH}, or a path
 * @param kernel the guest kernel ({@code vmlinuz})
 * @param initrd the guest initramfs
 * @param vcpus virtual CPUs per guest
 * @param memoryMib guest memory in MiB
 * @param stateDir the directory that contains one subdirectory per VM, as an absolute path. Any
 *     path up to the {@code PATH_MAX} check works, because no socket lives in it ({@link QemuSocketDir})
 * @param accelerator the accelerator setting
 * @param bootTimeout how long a cold boot may take, from process start to the guest's ready line
 * @param qmpTimeout the bound of one QMP command, and of the connect and handshake
 * @param snapshotTimeout the bound of writing one snapshot, and of loading one on restore
 * @param stopTimeout how long to wait for QEMU to exit after each of quit, SIGTERM and SIGKILL
 */
public record QemuConfig(
        String binary,
        Path kernel,
        Path initrd,
        int vcpus,
        int memoryMib,
        Path stateDir,
        AcceleratorMode accelerator,
        Duration bootTimeout,
        Duration qmpTimeout,
        Duration snapshotTimeout,
        Duration stopTimeout) {

    public static final String BIN = "MICROVM_QEMU_BIN";
    public static final String KERNEL = "MICROVM_QEMU_KERNEL";
    public static final String INITRD = "MICROVM_QEMU_INITRD";
    public static final String VCPUS = "MICROVM_QEMU_VCPUS";
    public static final String MEM_MIB = "MICROVM_QEMU_MEM_MIB";
    public static final String STATE_DIR = "MICROVM_QEMU_STATE_DIR";
    public static final String ACCEL = "MICROVM_QEMU_ACCEL";
    public static final String BOOT_TIMEOUT_MS = "MICROVM_QEMU_BOOT_TIMEOUT_MS";
    public static final String QMP_TIMEOUT_MS = "MICROVM_QEMU_QMP_TIMEOUT_MS";
    public static final String SNAPSHOT_TIMEOUT_MS = "MICROVM_QEMU_SNAPSHOT_TIMEOUT_MS";
    public static final String STOP_TIMEOUT_MS = "MICROVM_QEMU_STOP_TIMEOUT_MS";

    /** Maximum length in bytes of a file path on Linux: {@code PATH_MAX} is 4096, including the terminating NUL. */
    static final int MAX_PATH_BYTES = 4095;

    // x86 guests without x2APIC address at most 255 CPUs.
    private static final int MAX_VCPUS = 255;
    // The cloud kernel with the busybox initramfs needs a few tens of MiB. 1 TiB is far beyond any
    // microVM and catches unit mistakes such as a size in bytes.
    private static final int MIN_MEMORY_MIB = 32;
    private static final int MAX_MEMORY_MIB = 1024 * 1024;
    private static final long MAX_TIMEOUT_MS = Duration.ofDays(1).toMillis();

    public QemuConfig {
        Objects.requireNonNull(binary, "binary");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(accelerator, "accelerator");
        Objects.requireNonNull(bootTimeout, "bootTimeout");
        Objects.requireNonNull(qmpTimeout, "qmpTimeout");
        Objects.requireNonNull(snapshotTimeout, "snapshotTimeout");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        stateDir = stateDir.toAbsolutePath().normalize();
        requireStateDirFits(stateDir);
    }

    /**
     * Reads the settings from {@code env}, which is usually {@link System#getenv()}.
     *
     * @param defaultStateDir the state directory when {@code MICROVM_QEMU_STATE_DIR} is unset, such
     *     as {@code <DATA_DIR>/qemu}
     * @throws QemuConfigException for a value that is set but invalid, including an empty value.
     *     The message names the variable, the value and what is allowed.
     */
    public static QemuConfig fromEnvironment(Map<String, String> env, Path defaultStateDir) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(defaultStateDir, "defaultStateDir");
        return new QemuConfig(
                string(env, BIN, "qemu-system-x86_64"),
                path(env, KERNEL, GuestImage.defaultKernel(env)),
                path(env, INITRD, GuestImage.defaultInitrd(env)),
                integer(env, VCPUS, 1, 1, MAX_VCPUS),
                integer(env, MEM_MIB, 256, MIN_MEMORY_MIB, MAX_MEMORY_MIB),
                stateDir(env, defaultStateDir),
                accelerator(env),
                millis(env, BOOT_TIMEOUT_MS, 30_000),
                millis(env, QMP_TIMEOUT_MS, 5_000),
                millis(env, SNAPSHOT_TIMEOUT_MS, 120_000),
                millis(env, STOP_TIMEOUT_MS, 5_000));
    }

    /** Returns a copy with another state directory. */
    public QemuConfig withStateDir(Path newStateDir) {
        return new QemuConfig(binary, kernel, initrd, vcpus, memoryMib, newStateDir, accelerator, bootTimeout,
                qmpTimeout, snapshotTimeout, stopTimeout);
    }

    /** Returns a copy with other timeouts. */
    public QemuConfig withTimeouts(Duration newBoot, Duration newQmp, Duration newSnapshot, Duration newStop) {
        return new QemuConfig(binary, kernel, initrd, vcpus, memoryMib, stateDir, accelerator, newBoot, newQmp,
                newSnapshot, newStop);
    }

    /** Returns a copy with another kernel and initrd. */
    public QemuConfig withImage(Path newKernel, Path newInitrd) {
        return new QemuConfig(binary, newKernel, newInitrd, vcpus, memoryMib, stateDir, accelerator, bootTimeout,
                qmpTimeout, snapshotTimeout, stopTimeout);
    }

    /** Returns a copy with another accelerator setting. */
    public QemuConfig withAccelerator(AcceleratorMode newAccelerator) {
        return new QemuConfig(binary, kernel, initrd, vcpus, memoryMib, stateDir, newAccelerator, bootTimeout,
                qmpTimeout, snapshotTimeout, stopTimeout);
    }

    /** Returns a copy with another guest memory size. */
    public QemuConfig withMemoryMib(int newMemoryMib) {
        return new QemuConfig(binary, kernel, initrd, vcpus, newMemoryMib, stateDir, accelerator, bootTimeout,
                qmpTimeout, snapshotTimeout, stopTimeout);
    }

    /** Returns a copy with another QEMU executable. */
    public QemuConfig withBinary(String newBinary) {
        return new QemuConfig(newBinary, kernel, initrd, vcpus, memoryMib, stateDir, accelerator, bootTimeout,
                qmpTimeout, snapshotTimeout, stopTimeout);
    }

    /**
     * Rejects a state directory so long that the deepest file of a VM with maximum-length ids
     * would pass {@code PATH_MAX}, so the error comes at start and not at the first snapshot. The
     * sockets do not count, because they live in the short {@link QemuSocketDir}.
     */
    private static void requireStateDirFits(Path stateDir) {
        String longestId = "x".repeat(ResourceIds.MAX_LENGTH);
        Path longestFile = VmPaths.of(stateDir, longestId).longestFilePath();
        int length = longestFile.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_PATH_BYTES) {
            int stateDirBytes = stateDir.toString().getBytes(StandardCharsets.UTF_8).length;
            int allowed = stateDirBytes - (length - MAX_PATH_BYTES);
            throw new QemuConfigException(STATE_DIR + " '" + stateDir + "' is too long (" + stateDirBytes
                    + " bytes): the snapshot files of VMs with " + ResourceIds.MAX_LENGTH
                    + "-character ids would have paths of " + length + " bytes, over the Linux limit of "
                    + MAX_PATH_BYTES + "; set " + STATE_DIR + " to an absolute path of at most " + allowed + " bytes");
        }
    }

    /**
     * Reads the state directory. A relative value is rejected because it would depend on the
     * working directory. Its absolute form names the {@link QemuSocketDir}, so an operator started
     * from another directory would lose track of the guests that still run. The constructor makes
     * the caller's fallback absolute.
     */
    private static Path stateDir(Map<String, String> env, Path fallback) {
        Path value = path(env, STATE_DIR, fallback);
        boolean fromEnvironment = env.get(STATE_DIR) != null;
        if (fromEnvironment && !value.isAbsolute()) {
            throw new QemuConfigException(STATE_DIR + " '" + value + "' is a relative path: set an absolute path, "
                    + "because the provider finds its running guests after a restart by that path");
        }
        return value;
    }

    private static String raw(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value != null && value.isBlank()) {
            throw new QemuConfigException(name + " is set but empty: unset it to use the default, or give a value");
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
            throw new QemuConfigException(name + " '" + value.replace("\n", "\\n").replace("\0", "\\0")
                    + "' is invalid: a path must not contain NUL or newline characters");
        }
        return Path.of(value);
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
        throw new QemuConfigException(name + " '" + value + "' is invalid: expected a whole number from " + min
                + " to " + max + " (default " + fallback + ")");
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
        throw new QemuConfigException(name + " '" + value + "' is invalid: expected milliseconds from 1 to "
                + MAX_TIMEOUT_MS + " (default " + fallback + ")");
    }

    private static AcceleratorMode accelerator(Map<String, String> env) {
        String value = raw(env, ACCEL);
        if (value == null) {
            return AcceleratorMode.AUTO;
        }
        for (AcceleratorMode mode : AcceleratorMode.values()) {
            if (mode.value().equals(value.trim())) {
                return mode;
            }
        }
        throw new QemuConfigException(ACCEL + " '" + value + "' is invalid: expected auto, kvm or tcg (default auto)");
    }
}
