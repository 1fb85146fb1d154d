package io.tangle.microvm.store;

import java.util.List;

/**
 * Every schema migration in order. Times are ISO-8601 UTC text ({@link java.time.Instant#toString()}),
 * which keeps nanoseconds and reads well in the {@code sqlite3} shell. Status columns hold the
 * lowercase wire names.
 */
final class SchemaMigrations {

    private static final Migration BASE_SCHEMA = new Migration(1, "VMs, snapshots, job outcomes and the chain cursor", List.of(
            """
            CREATE TABLE vms (
                vm_id           TEXT    NOT NULL PRIMARY KEY,
                status          TEXT    NOT NULL CHECK (status IN ('created', 'running', 'stopped', 'destroyed')),
                provider        TEXT    NOT NULL,
                provider_handle TEXT,
                created_at      TEXT    NOT NULL,
                updated_at      TEXT    NOT NULL,
                last_call_id    INTEGER
            ) STRICT""",
            """
            CREATE TABLE snapshots (
                vm_id      TEXT    NOT NULL REFERENCES vms (vm_id) ON DELETE CASCADE,
                name       TEXT    NOT NULL,
                ordinal    INTEGER NOT NULL,
                created_at TEXT    NOT NULL,
                size_bytes INTEGER CHECK (size_bytes >= 0),
                digest     TEXT,
                PRIMARY KEY (vm_id, name),
                UNIQUE (vm_id, ordinal)
            ) STRICT""",
            """
            CREATE TABLE snapshot_files (
                vm_id         TEXT    NOT NULL,
                snapshot_name TEXT    NOT NULL,
                ordinal       INTEGER NOT NULL,
                path          TEXT    NOT NULL,
                PRIMARY KEY (vm_id, snapshot_name, ordinal),
                FOREIGN KEY (vm_id, snapshot_name) REFERENCES snapshots (vm_id, name) ON DELETE CASCADE
            ) STRICT""",
            """
            CREATE TABLE job_outcomes (
                call_id      INTEGER NOT NULL PRIMARY KEY,
                job_index    INTEGER NOT NULL,
                job          TEXT    NOT NULL,
                vm_id        TEXT,
                status       TEXT    NOT NULL CHECK (status IN ('succeeded', 'failed')),
                error        TEXT,
                recorded_at  TEXT    NOT NULL,
                block_number INTEGER,
                log_index    INTEGER
            ) STRICT""",
            "CREATE INDEX job_outcomes_by_position ON job_outcomes (block_number, log_index)",
            """
            CREATE TABLE chain_cursor (
                singleton    INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
                block_number INTEGER NOT NULL,
                block_hash   TEXT    NOT NULL,
                log_index    INTEGER NOT NULL
            ) STRICT"""));

    /**
     * Result submissions survive a restart. Outcomes keep their block hash, so a reorg can be
     * distinguished from a replay. VMs record who created them. Rows from version 1 get NULL in
     * the new columns.
     */
    private static final Migration SUBMISSIONS_AND_OWNERS = new Migration(2,
            "result submissions, outcome block hashes and VM owners", List.of(
            "ALTER TABLE job_outcomes ADD COLUMN block_hash TEXT",
            "ALTER TABLE vms ADD COLUMN owner TEXT",
            """
            CREATE TABLE submissions (
                call_id    INTEGER NOT NULL PRIMARY KEY,
                status     TEXT    NOT NULL CHECK (status IN ('pending', 'submitted', 'already_done', 'failed')),
                tx_hash    TEXT,
                attempts   INTEGER NOT NULL CHECK (attempts >= 0),
                error      TEXT,
                updated_at TEXT    NOT NULL
            ) STRICT""",
            "CREATE INDEX submissions_by_status ON submissions (status, call_id)"));

    /**
     * Submissions gain the status 'orphaned': the call's block left the chain in a reorganisation,
     * so its result is never sent. SQLite cannot change a CHECK constraint in place, so the table
     * is rebuilt with the same rows.
     */
    private static final Migration ORPHANED_SUBMISSIONS = new Migration(3,
            "orphaned result submissions", List.of(
            """
            CREATE TABLE submissions_v3 (
                call_id    INTEGER NOT NULL PRIMARY KEY,
                status     TEXT    NOT NULL
                           CHECK (status IN ('pending', 'submitted', 'already_done', 'failed', 'orphaned')),
                tx_hash    TEXT,
                attempts   INTEGER NOT NULL CHECK (attempts >= 0),
                error      TEXT,
                updated_at TEXT    NOT NULL
            ) STRICT""",
            """
            INSERT INTO submissions_v3 (call_id, status, tx_hash, attempts, error, updated_at)
            SELECT call_id, status, tx_hash, attempts, error, updated_at FROM submissions""",
            "DROP TABLE submissions",
            "ALTER TABLE submissions_v3 RENAME TO submissions",
            "CREATE INDEX submissions_by_status ON submissions (status, call_id)"));

    /**
     * Outcomes of calls whose id a different call took after a reorganisation move here, so the
     * new call can be applied under its id and the old outcome stays on record.
     */
    private static final Migration REPLACED_OUTCOMES = new Migration(4,
            "outcomes replaced after a reorganisation", List.of(
            """
            CREATE TABLE replaced_outcomes (
                call_id      INTEGER NOT NULL,
                job_index    INTEGER NOT NULL,
                job          TEXT    NOT NULL,
                vm_id        TEXT,
                status       TEXT    NOT NULL,
                error        TEXT,
                recorded_at  TEXT    NOT NULL,
                block_number INTEGER,
                block_hash   TEXT,
                log_index    INTEGER,
                replaced_at  TEXT    NOT NULL,
                reason       TEXT    NOT NULL
            ) STRICT""",
            "CREATE INDEX replaced_outcomes_by_call ON replaced_outcomes (call_id)"));

    /**
     * Outcomes keep a digest of their call's job index, caller and arguments, so that a different
     * call that takes a reorganised call's id is recognised even with the same job on the same VM.
     * Rows from earlier versions get NULL.
     */
    private static final Migration CALL_DIGESTS = new Migration(5, "call digests of outcomes", List.of(
            "ALTER TABLE job_outcomes ADD COLUMN call_digest TEXT",
            "ALTER TABLE replaced_outcomes ADD COLUMN call_digest TEXT"));

    /** All migrations, ordered by version, with no gaps. */
    static final List<Migration> ALL = List.of(BASE_SCHEMA, SUBMISSIONS_AND_OWNERS, ORPHANED_SUBMISSIONS,
            REPLACED_OUTCOMES, CALL_DIGESTS);

    /** The schema version this build creates and understands. */
    static final int LATEST = ALL.getLast().version();

    private SchemaMigrations() {
    }
}
