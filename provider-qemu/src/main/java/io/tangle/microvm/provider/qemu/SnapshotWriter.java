package io.tangle.microvm.provider.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a snapshot of a live guest: pause, QMP {@code migrate} into a file, wait, fsync, digest,
 * rename into place, then put the guest back in the run state it had before. A failure cancels
 * the migration, deletes the partial files and still restores the run state.
 *
 * <p>QEMU 7.2 has no {@code file:} migration target, so the stream goes through a shell helper
 * started by an {@code exec:} URI. The helper runs {@code cat} in the background and renames the
 * file when {@code cat} has written everything. The detour is needed because QEMU, once the stream
 * ends, sends SIGTERM to its helper if the helper has not exited yet, which could cut off the last
 * bytes. QEMU only tracks the foreground shell, which exits at once.
 */
final class SnapshotWriter {

    private static final Logger log = LoggerFactory.getLogger(SnapshotWriter.class);

    /** How often the migration status is read when no {@code MIGRATION} event arrives. */
    private static final Duration STATUS_RECHECK = Duration.ofSeconds(1);
    /** How often the writer's output files are checked after the stream ended. */
    private static final Duration WRITER_RECHECK = Duration.ofMillis(20);
    /** How long a failed snapshot waits for the writer to finish before deleting its files. */
    private static final Duration WRITER_EXIT_WAIT = Duration.ofSeconds(5);
    private static final List<String> TERMINAL_STATES = List.of("completed", "failed", "cancelled");

    private final Duration qmpTimeout;
    private final Duration snapshotTimeout;

    SnapshotWriter(QemuConfig config) {
        this.qmpTimeout = config.qmpTimeout();
        this.snapshotTimeout = config.snapshotTimeout();
    }

    /**
     * Writes snapshot {@code snapshotId} of the guest in {@code process}.
     *
     * @throws SnapshotException naming the step and cause. Partial files are gone, and the guest is
     *     back in its previous run state unless the message states otherwise.
     */
    SnapshotInfo write(String vmId, QemuProcess process, VmPaths paths, String snapshotId)
            throws SnapshotException, InterruptedException {
        Instant started = Instant.now();
        Instant deadline = started.plus(snapshotTimeout);
        QmpClient qmp = qmp(vmId, process);
        boolean wasRunning = pause(vmId, process, qmp);

        SnapshotInfo info;
        try {
            info = migrate(vmId, process, qmp, paths, snapshotId, deadline);
        } catch (SnapshotException e) {
            deletePartialFiles(vmId, paths, snapshotId);
            restoreRunState(vmId, process, qmp, wasRunning, e);
            throw e;
        }

        restoreRunState(vmId, process, qmp, wasRunning, null);
        log.info("vm '{}' snapshot '{}' written in {} ms: {} bytes, sha256 {} (pid {})", vmId, snapshotId,
                Duration.between(started, Instant.now()).toMillis(), info.sizeBytes(), info.sha256(), process.pid());
        return info;
    }

    /**
     * Pauses the guest and returns whether it was running. A guest paused by an earlier migration
     * (run state {@code postmigrate}) is resumed and paused again first, because QEMU 7.2 refuses to
     * migrate from that state. The guest runs for the few milliseconds between the two commands.
     */
    private boolean pause(String vmId, QemuProcess process, QmpClient qmp) throws SnapshotException, InterruptedException {
        String state = call("read the run state", () -> QmpCommands.runState(qmp.execute("query-status")));
        boolean wasRunning = "running".equals(state);
        if ("postmigrate".equals(state)) {
            log.info("vm '{}' (pid {}): run state is postmigrate; resuming and pausing again before the snapshot",
                    vmId, process.pid());
            call("leave the postmigrate state", () -> qmp.execute("cont"));
            call("pause the guest", () -> qmp.execute("stop"));
        } else if (wasRunning) {
            call("pause the guest", () -> qmp.execute("stop"));
        } else if (!"paused".equals(state)) {
            throw new SnapshotException("check the run state", "the guest's run state is '" + state
                    + "', expected running or paused", null);
        }
        return wasRunning;
    }

    private SnapshotInfo migrate(String vmId, QemuProcess process, QmpClient qmp, VmPaths paths, String snapshotId,
            Instant deadline) throws SnapshotException, InterruptedException {
        Path partial = paths.snapshotPartial(snapshotId);
        Path written = paths.snapshotWritten(snapshotId);
        Path failed = paths.snapshotFailed(snapshotId);
        Path target = paths.snapshotFile(snapshotId);
        deletePartialFiles(vmId, paths, snapshotId);
        call("create the snapshot directory", () -> Files.createDirectories(paths.snapshotsDir()));

        try (QmpClient.EventSubscription events = qmp.subscribe()) {
            call("start the migration", () -> qmp.execute("migrate",
                    QmpCommands.migrate(writerUri(partial, written, failed))));
            JsonNode status = awaitMigration(vmId, qmp, events, deadline);
            String state = QmpCommands.migrationStatus(status);
            if (!"completed".equals(state)) {
                awaitWriterExit(written, failed, Instant.now().plus(WRITER_EXIT_WAIT));
                throw new SnapshotException("write the migration stream", "migration ended with status '" + state
                        + "'" + suffix(QmpCommands.migrationError(status)) + lastOutput(process), null);
            }
        } catch (SnapshotException e) {
            if (e.step().equals("wait for the migration")) {
                cancel(vmId, qmp);
                awaitWriterExit(written, failed, Instant.now().plus(WRITER_EXIT_WAIT));
            }
            throw e;
        }

        Optional<Path> finished = awaitWriterExit(written, failed, deadline);
        if (finished.isEmpty()) {
            throw new SnapshotException("finish the snapshot file", "the writer did not finish " + partial
                    + " within the snapshot timeout of " + snapshotTimeout.toMillis() + " ms", null);
        }
        if (finished.get().equals(failed)) {
            throw new SnapshotException("write the snapshot file", "writing " + partial + " failed"
                    + lastOutput(process), null);
        }

        return call("sync and digest the snapshot file", () -> {
            String sha256 = syncAndDigest(written);
            long size = Files.size(written);
            Files.move(written, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(target.getParent());
            return new SnapshotInfo(snapshotId, Instant.now(), size, target, sha256, process.machine());
        });
    }

    /**
     * Returns the {@code exec:} URI of the writer: the shell moves QEMU's pipe to descriptor 3,
     * starts the writer in the background and exits, so QEMU never signals the writer.
     */
    static String writerUri(Path partial, Path written, Path failed) {
        String p = QemuCommandLine.shellQuote(partial.toString());
        String w = QemuCommandLine.shellQuote(written.toString());
        String f = QemuCommandLine.shellQuote(failed.toString());
        return "exec:exec 3<&0 </dev/null; (if cat <&3 >" + p + "; then mv -f " + p + " " + w + "; else rm -f " + p
                + "; : >" + f + "; fi) >/dev/null &";
    }

    /** Waits for the migration to reach completed, failed or cancelled, and returns its last status. */
    private JsonNode awaitMigration(String vmId, QmpClient qmp, QmpClient.EventSubscription events, Instant deadline)
            throws SnapshotException, InterruptedException {
        while (true) {
            JsonNode status = call("wait for the migration", () -> qmp.execute("query-migrate"));
            if (TERMINAL_STATES.contains(QmpCommands.migrationStatus(status))) {
                return status;
            }

            Duration remaining = Duration.between(Instant.now(), deadline);
            if (remaining.isNegative() || remaining.isZero()) {
                throw new SnapshotException("wait for the migration", "the migration did not finish within the "
                        + "snapshot timeout of " + snapshotTimeout.toMillis() + " ms (status '"
                        + QmpCommands.migrationStatus(status) + "')", null);
            }
            // A MIGRATION event wakes this wait early. Otherwise the status is read again after STATUS_RECHECK.
            call("wait for the migration",
                    () -> events.poll(remaining.compareTo(STATUS_RECHECK) < 0 ? remaining : STATUS_RECHECK));
        }
    }

    /** Waits until the writer renamed its file or left the failure marker; empty at the deadline. */
    private static Optional<Path> awaitWriterExit(Path written, Path failed, Instant deadline)
            throws InterruptedException {
        while (true) {
            if (Files.exists(written)) {
                return Optional.of(written);
            }
            if (Files.exists(failed)) {
                return Optional.of(failed);
            }
            if (!Instant.now().isBefore(deadline)) {
                return Optional.empty();
            }
            Thread.sleep(WRITER_RECHECK.toMillis());
        }
    }

    private void cancel(String vmId, QmpClient qmp) throws InterruptedException {
        try {
            qmp.execute("migrate_cancel");
            log.info("vm '{}': cancelled the snapshot migration", vmId);
        } catch (QmpException e) {
            log.warn("vm '{}': migrate_cancel failed: {}", vmId, e.getMessage());
        }
    }

    /** Puts the guest back in its run state before the snapshot: running if it ran, paused otherwise. */
    private void restoreRunState(String vmId, QemuProcess process, QmpClient qmp, boolean wasRunning,
            SnapshotException failure) throws SnapshotException, InterruptedException {
        if (!wasRunning) {
            return;
        }
        try {
            qmp.execute("cont");
        } catch (QmpException e) {
            String message = "cannot resume the guest after the snapshot: " + e.getMessage();
            log.error("vm '{}' (pid {}): {}", vmId, process.pid(), message);
            if (failure != null) {
                failure.addSuppressed(e);
                return;
            }
            throw new SnapshotException("resume the guest", message, e);
        }
    }

    private static String syncAndDigest(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        return sha256(file);
    }

    /** Computes the SHA-256 digest of {@code file} in lowercase hex. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        try (InputStream input = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            int read;
            while ((read = input.read(buffer)) >= 0) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Deletes the partial, written and failure files of one snapshot. */
    static void deletePartialFiles(String vmId, VmPaths paths, String snapshotId) {
        for (Path file : List.of(paths.snapshotPartial(snapshotId), paths.snapshotWritten(snapshotId),
                paths.snapshotFailed(snapshotId))) {
            try {
                if (Files.deleteIfExists(file)) {
                    log.info("vm '{}': deleted partial snapshot file {}", vmId, file);
                }
            } catch (IOException e) {
                log.warn("vm '{}': cannot delete partial snapshot file {}: {}", vmId, file, e.toString());
            }
        }
    }

    private QmpClient qmp(String vmId, QemuProcess process) throws SnapshotException, InterruptedException {
        return call("connect QMP", () -> process.qmp(qmpTimeout));
    }

    private static String lastOutput(QemuProcess process) {
        List<String> lines = process.lastLogLines(3);
        return lines.isEmpty() ? "" : "; last QEMU output: " + lines;
    }

    private static String suffix(String error) {
        return error.isEmpty() ? "" : ": " + error;
    }

    private static <T> T call(String step, SnapshotStep<T> action)
            throws SnapshotException, InterruptedException {
        try {
            return action.run();
        } catch (IOException e) {
            throw new SnapshotException(step, e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface SnapshotStep<T> {
        T run() throws QmpException, IOException, InterruptedException;
    }

    /** A failed snapshot; the message names the cause and {@link #step()} the step. */
    static final class SnapshotException extends Exception {

        private final String step;

        SnapshotException(String step, String message, Throwable cause) {
            super(message, cause);
            this.step = step;
        }

        String step() {
            return step;
        }
    }
}
