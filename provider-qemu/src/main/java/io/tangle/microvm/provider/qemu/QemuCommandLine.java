package io.tangle.microvm.provider.qemu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds QEMU's argument list for one launch, and reads the QMP socket back from the argument list
 * of a running process (to recognise QEMU processes of this provider).
 */
final class QemuCommandLine {

    private static final String QMP_OPTION = "-qmp";
    private static final String UNIX_PREFIX = "unix:";

    private QemuCommandLine() {
    }

    /**
     * Returns the arguments of a QEMU process for {@code vmId}. The guest starts paused
     * ({@code -S}), so the provider connects QMP and the console before the first instruction runs
     * and no console output is lost.
     *
     * <p>Socket paths are escaped for QEMU's option parser, which splits at commas. State directory
     * paths appear in no such option: the sockets lie in the {@link QemuSocketDir}, and a snapshot file
     * reaches QEMU only inside a shell-quoted {@code exec:} command, so any character in the state
     * directory is safe here.
     *
     * @param incoming a snapshot file to load instead of booting, or empty for a cold boot
     */
    static List<String> build(String vmId, MachineSpec machine, VmPaths.LaunchSockets sockets, Optional<Path> incoming) {
        List<String> args = new ArrayList<>();
        args.add(machine.binary().toString());
        args.addAll(List.of("-name", vmId));
        args.addAll(List.of("-machine", "microvm"));
        args.addAll(List.of("-accel", machine.accelerator().qemuName()));
        if (machine.accelerator() == Accelerator.KVM) {
            args.addAll(List.of("-cpu", "host"));
        }
        args.addAll(List.of("-smp", Integer.toString(machine.vcpus())));
        args.addAll(List.of("-m", machine.memoryMib() + "M"));
        args.addAll(List.of("-nodefaults", "-no-user-config", "-display", "none", "-no-reboot"));
        args.addAll(List.of("-kernel", machine.kernel().toString()));
        args.addAll(List.of("-initrd", machine.initrd().toString()));
        args.addAll(List.of("-append", machine.kernelCommandLine()));
        args.addAll(List.of("-chardev",
                "socket,id=console,path=" + escapeOptionValue(sockets.console().toString()) + ",server=on,wait=off"));
        args.addAll(List.of("-serial", "chardev:console"));
        args.addAll(List.of(QMP_OPTION, UNIX_PREFIX + escapeOptionValue(sockets.qmp().toString()) + ",server=on,wait=off"));
        args.add("-S");
        incoming.ifPresent(file -> args.addAll(List.of("-incoming", "exec:cat " + shellQuote(file.toString()))));
        return args;
    }

    /**
     * Returns the QMP socket path of a QEMU argument list built by {@link #build}, or empty when
     * the list has no {@code -qmp unix:} option.
     */
    static Optional<Path> qmpSocketOf(List<String> args) {
        for (int i = 0; i + 1 < args.size(); i++) {
            if (QMP_OPTION.equals(args.get(i)) && args.get(i + 1).startsWith(UNIX_PREFIX)) {
                return Optional.of(Path.of(firstOptionValue(args.get(i + 1).substring(UNIX_PREFIX.length()))));
            }
        }
        return Optional.empty();
    }

    /** Returns whether {@code args} starts a {@code qemu-system-*} executable. */
    static boolean isQemu(List<String> args) {
        if (args.isEmpty()) {
            return false;
        }
        Path program = Path.of(args.get(0)).getFileName();
        return program != null && program.toString().startsWith("qemu-system");
    }

    /** Escapes a value inside a QEMU option string, where a comma separates options and ",," is a literal comma. */
    static String escapeOptionValue(String value) {
        return value.replace(",", ",,");
    }

    /** Quotes {@code value} as one word for {@code /bin/sh}, which runs QEMU's {@code exec:} commands. */
    static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    private static String firstOptionValue(String option) {
        StringBuilder value = new StringBuilder();
        for (int i = 0; i < option.length(); i++) {
            char c = option.charAt(i);
            if (c == ',') {
                if (i + 1 < option.length() && option.charAt(i + 1) == ',') {
                    value.append(',');
                    i++;
                    continue;
                }
                break;
            }
            value.append(c);
        }
        return value.toString();
    }
}
