package io.tangle.microvm.store;

import static io.tangle.microvm.store.Fixtures.SERVICE;
import static io.tangle.microvm.store.Fixtures.T0;
import static io.tangle.microvm.store.Fixtures.hash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.runtime.VmStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaMigrationTest {

    @TempDir
    Path dataDir;

    @Test
    void emptyDirectoryGetsLatestSchema() throws SQLException {
        Path freshDir = dataDir.resolve("not-yet-created");

        try (SqliteStore store = SqliteStore.open(freshDir, SERVICE)) {
            assertThat(store.schemaVersion()).isEqualTo(SchemaMigrations.LATEST);
            assertThat(store.listVms()).isEmpty();
        }

        Path database = SqliteFiles.databaseOf(freshDir, SERVICE);
        assertThat(SqliteFiles.queryString(database, "PRAGMA user_version")).isEqualTo("5");
        assertThat(SqliteFiles.queryString(database, "SELECT name FROM sqlite_master WHERE name = 'submissions'"))
                .isEqualTo("submissions");
    }

    @Test
    void laterMigrationsKeepVersionOneRows() throws SQLException {
        Path database = createVersionOneDatabase();

        try (SqliteStore store = SqliteStore.open(dataDir, SERVICE)) {
            assertThat(store.schemaVersion()).isEqualTo(SchemaMigrations.LATEST);
            assertThat(store.findVm("vm-1")).contains(new VmRecord("vm-1", null, VmStatus.STOPPED, "qemu", "{\"pid\":7}",
                    T0, T0.plusSeconds(5), 11L,
                    List.of(new SnapshotRecord("snap-1", T0.plusSeconds(4), 2048L, List.of("/s/mem", "/s/state"), "sha256:aa"))));
            assertThat(store.find(11)).contains(JobOutcome.succeeded(11, 3, "stop_vm", "vm-1", T0.plusSeconds(5)));
            assertThat(store.outcomesFromBlock(0)).containsExactly(new CallAtPosition(11, "vm-1", "stop_vm", 300, null, 2));
            assertThat(store.cursor()).contains(new ChainCursor(300, hash(300), 2));
            assertThat(store.pendingSubmissions()).isEmpty();
        }
        assertThat(database).isRegularFile();
    }

    @Test
    void migrationThreeKeepsSubmissionsAndAcceptsOrphaned() throws SQLException {
        Path database = SqliteFiles.databaseOf(dataDir, SERVICE);
        createDirectories(database.getParent());
        try (Connection connection = SqliteConnections.openWriter(database)) {
            assertThat(SchemaMigrator.migrate(connection, database, 2)).extracting(Migration::version).containsExactly(1, 2);
        }
        SqliteFiles.execute(database,
                "INSERT INTO submissions (call_id, status, tx_hash, attempts, error, updated_at)"
                        + " VALUES (4, 'failed', NULL, 2, 'node unreachable', '" + T0 + "')");
        SubmissionRecord orphaned = new SubmissionRecord(5, SubmissionRecord.Status.ORPHANED, null, 0,
                "the block of job call 5 is no longer on chain", T0.plusSeconds(1));

        try (SqliteStore store = SqliteStore.open(dataDir, SERVICE)) {
            assertThat(store.schemaVersion()).isEqualTo(SchemaMigrations.LATEST);
            assertThat(store.findSubmission(4)).contains(new SubmissionRecord(4, SubmissionRecord.Status.FAILED, null, 2,
                    "node unreachable", T0));
            store.saveSubmission(orphaned);
            assertThat(store.findSubmission(5)).contains(orphaned);
            assertThat(store.pendingSubmissions()).extracting(SubmissionRecord::callId).containsExactly(4L);
        }
        assertThat(SqliteFiles.queryString(database,
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'submissions_by_status'")).isEqualTo("1");
    }

    @Test
    void reopeningAppliesNoMigration() throws SQLException {
        try (SqliteStore store = SqliteStore.open(dataDir, SERVICE)) {
            store.record(Fixtures.succeeded(1, "create_vm", "vm-1"));
        }
        try (SqliteStore store = SqliteStore.open(dataDir, SERVICE)) {
            assertThat(store.find(1)).isPresent();
        }

        Path database = SqliteFiles.databaseOf(dataDir, SERVICE);
        try (Connection connection = SqliteConnections.openWriter(database)) {
            assertThat(SchemaMigrator.migrate(connection, database, SchemaMigrations.LATEST)).isEmpty();
        }
    }

    @Test
    void newerSchemaIsRejected() throws SQLException {
        SqliteStore.open(dataDir, SERVICE).close();
        Path database = SqliteFiles.databaseOf(dataDir, SERVICE);
        SqliteFiles.execute(database, "PRAGMA user_version = 6");
        String expected = "database " + database + " has schema version 6 but this build knows up to 5; use a newer build";

        assertThatThrownBy(() -> SqliteStore.open(dataDir, SERVICE)).isInstanceOf(StoreException.class).hasMessage(expected);
        // A second attempt meets the same check, so the failed open released its lock.
        assertThatThrownBy(() -> SqliteStore.open(dataDir, SERVICE)).isInstanceOf(StoreException.class).hasMessage(expected);
    }

    @Test
    void failedMigrationRollsBackWholeStep() throws SQLException {
        Path database = createVersionOneDatabase();
        // Makes migration 2 fail at its third statement, after it has added two columns.
        SqliteFiles.execute(database, "CREATE TABLE submissions (call_id INTEGER)");

        assertThatThrownBy(() -> SqliteStore.open(dataDir, SERVICE))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("schema migration 2")
                .hasMessageContaining("table submissions already exists");

        assertThat(SqliteFiles.queryString(database, "PRAGMA user_version")).isEqualTo("1");
        assertThat(SqliteFiles.queryString(database, "SELECT count(*) FROM pragma_table_info('vms') WHERE name = 'owner'"))
                .isEqualTo("0");
    }

    private static void createDirectories(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builds a database at schema version 1 through the migration API, with one row in each table. */
    private Path createVersionOneDatabase() throws SQLException {
        Path database = SqliteFiles.databaseOf(dataDir, SERVICE);
        createDirectories(database.getParent());
        try (Connection connection = SqliteConnections.openWriter(database)) {
            assertThat(SchemaMigrator.migrate(connection, database, 1)).extracting(Migration::version).containsExactly(1);
        }

        SqliteFiles.execute(database,
                "INSERT INTO vms (vm_id, status, provider, provider_handle, created_at, updated_at, last_call_id)"
                        + " VALUES ('vm-1', 'stopped', 'qemu', '{\"pid\":7}', '" + T0 + "', '" + T0.plusSeconds(5) + "', 11)",
                "INSERT INTO snapshots (vm_id, name, ordinal, created_at, size_bytes, digest)"
                        + " VALUES ('vm-1', 'snap-1', 0, '" + T0.plusSeconds(4) + "', 2048, 'sha256:aa')",
                "INSERT INTO snapshot_files (vm_id, snapshot_name, ordinal, path) VALUES ('vm-1', 'snap-1', 0, '/s/mem')",
                "INSERT INTO snapshot_files (vm_id, snapshot_name, ordinal, path) VALUES ('vm-1', 'snap-1', 1, '/s/state')",
                "INSERT INTO job_outcomes (call_id, job_index, job, vm_id, status, error, recorded_at, block_number, log_index)"
                        + " VALUES (11, 3, 'stop_vm', 'vm-1', 'succeeded', NULL, '" + T0.plusSeconds(5) + "', 300, 2)",
                "INSERT INTO chain_cursor (singleton, block_number, block_hash, log_index)"
                        + " VALUES (1, 300, '" + hash(300) + "', 2)");
        assertThat(SqliteFiles.queryString(database, "PRAGMA user_version")).isEqualTo("1");
        return database;
    }
}
