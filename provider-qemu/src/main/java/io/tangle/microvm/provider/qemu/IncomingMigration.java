package io.tangle.microvm.provider.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Waits for a QEMU started with {@code -incoming} to finish loading its snapshot. The run state is
 * {@code inmigrate} until the stream is loaded, and a {@code cont} sent before then is lost, so the
 * guest would stay paused. The migration status alone is no proof either, because it reads
 * {@code none} until QEMU starts reading the stream.
 */
final class IncomingMigration {

    /** How often the run state is read again when no {@code MIGRATION} event arrives. */
    static final Duration RECHECK = Duration.ofMillis(500);

    private static final List<String> LOADED_STATES = List.of("paused", "postmigrate", "running");

    private IncomingMigration() {
    }

    /**
     * Returns the run state once it has left {@code inmigrate} and the incoming migration has
     * completed: {@code paused}, {@code postmigrate} or {@code running}. Sends no command that
     * changes the guest.
     *
     * @throws QmpException.Timeout when the state is still {@code inmigrate} at the deadline
     * @throws IllegalStateException when the state or the migration status shows a failed load
     */
    static String awaitLoaded(QmpClient qmp, Instant deadline, Duration timeout)
            throws QmpException, InterruptedException {
        try (QmpClient.EventSubscription events = qmp.subscribe()) {
            while (true) {
                String state = QmpCommands.runState(qmp.execute("query-status"));
                if (!"inmigrate".equals(state)) {
                    return requireLoaded(qmp, state);
                }

                Duration remaining = Duration.between(Instant.now(), deadline);
                if (remaining.isNegative() || remaining.isZero()) {
                    throw new QmpException.Timeout("the snapshot was not loaded within " + timeout.toMillis()
                            + " ms (run state still 'inmigrate')");
                }
                // A MIGRATION event wakes this wait early. Otherwise the state is read again after RECHECK.
                events.poll(remaining.compareTo(RECHECK) < 0 ? remaining : RECHECK);
            }
        }
    }

    private static String requireLoaded(QmpClient qmp, String state) throws QmpException, InterruptedException {
        if (!LOADED_STATES.contains(state)) {
            throw new IllegalStateException("unexpected run state '" + state + "' after loading the snapshot");
        }
        JsonNode migration = qmp.execute("query-migrate");
        String status = QmpCommands.migrationStatus(migration);
        if (!"completed".equals(status)) {
            String error = QmpCommands.migrationError(migration);
            throw new IllegalStateException("run state is '" + state + "' but the incoming migration status is '"
                    + status + "'" + (error.isEmpty() ? "" : ": " + error));
        }
        return state;
    }
}
