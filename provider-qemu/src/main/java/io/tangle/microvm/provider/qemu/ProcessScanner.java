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
 * {@code qemu-system-*} binary whose {@code -qmp unix:} socket lies under our state directory.
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

    /** Returns every live QEMU process whose QMP socket lies under {@code stateDir}. */
    static List<QemuProcessInfo> qemuProcessesUnder(Path stateDir) {
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
                        .map(socket -> socket.toAbsolutePath().normalize())
                        .filter(socket -> socket.startsWith(stateDir))
                        .ifPresent(socket -> found.add(new QemuProcessInfo(pid, socket)));
            }
        } catch (IOException e) {
            throw new QemuStartupException("cannot list " + PROC + " to find QEMU processes: " + e.getMessage(), e);
        }
        return found;
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
