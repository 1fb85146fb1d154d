package io.tangle.microvm.provider.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Finds QEMU processes of this provider through {@code /proc}: a process is ours when it runs a
 * {@code qemu-system-*} binary whose {@code -qmp unix:} socket lies in the {@link QemuSocketDir} of our
 * state directory.
 */
final class ProcessScanner {

    private static final Path PROC = Path.of("/proc");

    /** Tolerance when comparing a recorded start time with the one the JDK reads from /proc. */
    private static final Duration START_TIME_TOLERANCE = Duration.ofSeconds(1);

    private ProcessScanner() {
    }

    /** A QEMU process found in /proc. */
    record QemuProcessInfo(long pid, Path qmpSocket) {
    }

    /** Returns the arguments of process {@code pid}, or empty when it does not exist or cannot be read. */
    static Optional<List<String>> commandLine(long pid) {
        try {
            byte[] bytes = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            if (bytes.length == 0) {
                // Kernel threads and zombies have an empty command line.
                return Optional.empty();
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (text.endsWith("\0")) {
                text = text.substring(0, text.length() - 1);
            }
            return Optional.of(Arrays.asList(text.split("\0", -1)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Returns every live QEMU process whose QMP socket lies in the socket directory of
     * {@code stateDir}. Processes that keep their socket elsewhere, such as in the VM directory
     * where versions before the socket directory put it, are not found.
     */
    static List<QemuProcessInfo> qemuProcessesOf(Path stateDir) {
        Path socketDir = QemuSocketDir.pathFor(stateDir);
        List<QemuProcessInfo> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                Optional<List<String>> args = commandLine(pid);
                if (args.isEmpty() || !QemuCommandLine.isQemu(args.get())) {
                    continue;
                }
                QemuCommandLine.qmpSocketOf(args.get())
                        .filter(socket -> isOwnSocket(socket, socketDir))
                        .ifPresent(socket -> found.add(new QemuProcessInfo(pid, socket)));
            }
        } catch (IOException e) {
            throw new QemuStartupException("cannot list " + PROC + " to find QEMU processes: " + e.getMessage(), e);
        }
        return found;
    }

    /**
     * Returns whether a QMP socket path lies directly in {@code socketDir}. The parent must match
     * exactly: a prefix test would also accept other directories, for example every socket under
     * /tmp for a state directory of /tmp. A relative path never matches, because it depends on the
     * working directory of the QEMU process.
     */
    static boolean isOwnSocket(Path socket, Path socketDir) {
        return socket.isAbsolute() && socketDir.equals(socket.normalize().getParent());
    }

    /**
     * Returns the live process {@code pid} when it is the QEMU process that was recorded with
     * {@code qmpSocket} and {@code startedAt}. A reused pid fails one of the checks.
     */
    static Optional<ProcessHandle> findRecorded(long pid, Path qmpSocket, Instant startedAt) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (handle.isEmpty()) {
            return Optional.empty();
        }

        Optional<List<String>> args = commandLine(pid);
        boolean sameSocket = args.filter(QemuCommandLine::isQemu)
                .flatMap(QemuCommandLine::qmpSocketOf)
                .map(socket -> socket.equals(qmpSocket))
                .orElse(false);
        if (!sameSocket) {
            return Optional.empty();
        }

        Optional<Instant> actualStart = handle.get().info().startInstant();
        boolean sameStart = actualStart
                .map(start -> Duration.between(start, startedAt).abs().compareTo(START_TIME_TOLERANCE) <= 0)
                .orElse(true);
        return sameStart ? handle : Optional.empty();
    }
}
