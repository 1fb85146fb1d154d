package io.tangle.microvm.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.sqlite.SQLiteConfig;

/**
 * Opens the store's SQLite connections with the settings the store relies on, and checks that
 * SQLite accepted each one.
 */
final class SqliteConnections {

    /**
     * How long a connection waits for another connection's lock before failing with
     * {@code SQLITE_BUSY}. Within one process the store serializes its writers itself, so this
     * only matters for other processes on the file, such as an administrator's {@code sqlite3}
     * shell.
     */
    static final Duration BUSY_TIMEOUT = Duration.ofSeconds(5);

    /**
     * How long a writer of this process waits for its turn on the write connection. It is long
     * because giving up loses a job's outcome after the job was applied. The operator bounds how
     * many jobs and submissions run at once, so the queue ahead of a writer stays short.
     */
    static final Duration WRITER_TURN_TIMEOUT = Duration.ofSeconds(60);

    /** The {@code PRAGMA synchronous} value FULL. */
    static final int SYNCHRONOUS_FULL = 2;

    private SqliteConnections() {
    }

    /**
     * Opens the read-write connection, creating the file if needed.
     *
     * <p>Write-ahead logging lets readers run beside the writer without waiting for it.
     *
     * <p>{@code synchronous=FULL}: in WAL mode, NORMAL keeps the file consistent, but a power cut
     * or OS crash can roll back transactions that had already committed, because the WAL is then
     * synced only at checkpoints (SQLite documentation of {@code PRAGMA synchronous}). These rows
     * record customers' machines and which calls already have results. If such a row vanished
     * after its result went on chain, a restart would apply the job a second time. FULL syncs the WAL at
     * every commit, at the cost of one fsync per write transaction. A crash of the process alone
     * (kill -9) loses no committed transaction with either setting.
     */
    static Connection openWriter(Path database) throws SQLException {
        Connection connection = open(database, false);
        try (Statement statement = connection.createStatement()) {
            expect(statement, "PRAGMA journal_mode = WAL", "wal", database,
                    "WAL mode needs shared memory between processes, which network file systems do not provide");
            statement.execute("PRAGMA synchronous = FULL");
            expect(statement, "PRAGMA synchronous", Integer.toString(SYNCHRONOUS_FULL), database,
                    "the bundled SQLite library did not accept the setting");
            statement.execute("PRAGMA foreign_keys = ON");
            expect(statement, "PRAGMA foreign_keys", "1", database,
                    "the bundled SQLite library may be built without foreign key support");
            return connection;
        } catch (SQLException | RuntimeException e) {
            closeAfterFailure(connection, e);
            throw e;
        }
    }

    /**
     * Opens a read-only connection. In WAL mode it reads the last committed state without waiting
     * for the writer. The writer connection must be open first, because a read-only connection
     * cannot create the WAL files.
     */
    static Connection openReader(Path database) throws SQLException {
        return open(database, true);
    }

    private static Connection open(Path database, boolean readOnly) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(Math.toIntExact(BUSY_TIMEOUT.toMillis()));
        config.setReadOnly(readOnly);
        return config.createConnection("jdbc:sqlite:" + database);
    }

    /** Runs a PRAGMA and throws when its first result column is not the expected value. */
    private static void expect(Statement statement, String pragma, String expected, Path database, String hint)
            throws SQLException {
        try (ResultSet result = statement.executeQuery(pragma)) {
            String actual = result.next() ? result.getString(1) : null;
            if (!expected.equalsIgnoreCase(actual)) {
                throw new StoreException("'" + pragma + "' returned " + actual + " instead of " + expected
                        + " on database " + database + ": " + hint);
            }
        }
    }

    private static void closeAfterFailure(Connection connection, Exception primary) {
        try {
            connection.close();
        } catch (SQLException e) {
            primary.addSuppressed(e);
        }
    }
}
