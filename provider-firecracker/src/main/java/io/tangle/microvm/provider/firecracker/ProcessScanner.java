package io.tangle.microvm.provider.firecracker;

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
 * Finds Firecracker processes of this provider through {@code /proc}: a process is ours when its
 * command line has {@code --api-sock <path>} with the socket directly in our socket directory.
 * The executable's name is not checked, because {@code MICROVM_FIRECRACKER_BIN} may name a
 * wrapper. The socket directory is private to this user and to one state directory
 * ({@link FirecrackerSocketDir}), so no other program puts sockets there.
 */
final class ProcessScanner {

    private static final Path PROC = Path.of("/proc");

    /** Tolerance when comparing a recorded start time with the one the JDK reads from /proc. */
    private static final Duration START_TIME_TOLERANCE = Duration.ofSeconds(1);

    private ProcessScanner() {
    }

    /** A Firecracker process found in /proc. */
    record FirecrackerProcessInfo(long pid, Path socket) {
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

    /** Returns the value of {@code --api-sock} in {@code args}, in either the two-argument or the {@code =} form. */
    static Optional<Path> apiSocketOf(List<String> args) {
        String option = FirecrackerProcess.API_SOCK_OPTION;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals(option) && i + 1 < args.size()) {
                return Optional.of(Path.of(args.get(i + 1)));
            }
            if (arg.startsWith(option + "=")) {
                return Optional.of(Path.of(arg.substring(option.length() + 1)));
            }
        }
        return Optional.empty();
    }

    /** Returns every live process whose API socket lies directly in {@code socketDir}. */
    static List<FirecrackerProcessInfo> processesIn(Path socketDir) {
        List<FirecrackerProcessInfo> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                commandLine(pid)
                        .flatMap(ProcessScanner::apiSocketOf)
                        .filter(socket -> isOwnSocket(socket, socketDir))
                        .ifPresent(socket -> found.add(new FirecrackerProcessInfo(pid, socket)));
            }
        } catch (IOException e) {
            throw new FirecrackerStartupException("cannot list " + PROC + " to find Firecracker processes: "
                    + e.getMessage(), e);
        }
        return found;
    }

    /**
     * Returns whether a socket path lies directly in {@code socketDir}. A prefix test would also
     * accept other directories, and a relative path depends on the working directory of the process.
     */
    static boolean isOwnSocket(Path socket, Path socketDir) {
        return socket.isAbsolute() && socketDir.equals(socket.normalize().getParent());
    }

    /**
     * Returns the live process {@code pid} when it is the Firecracker process that was recorded
     * with {@code socket} and {@code startedAt}. A reused pid fails one of the checks.
     */
    static Optional<ProcessHandle> findRecorded(long pid, Path socket, Instant startedAt) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (handle.isEmpty()) {
            return Optional.empty();
        }

        boolean sameSocket = commandLine(pid)
                .flatMap(ProcessScanner::apiSocketOf)
                .map(recorded -> recorded.equals(socket))
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
