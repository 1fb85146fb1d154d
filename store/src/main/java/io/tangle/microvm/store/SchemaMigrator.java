package io.tangle.microvm.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a database up to a schema version. The version lives in {@code PRAGMA user_version},
 * which SQLite writes inside the migration's transaction, so a crash mid-migration leaves the
 * previous version and none of the step's changes.
 */
final class SchemaMigrator {

    private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);

    private SchemaMigrator() {
    }

    /**
     * Applies every migration above the database's version, up to and including {@code target},
     * each in its own {@code BEGIN IMMEDIATE} transaction. The caller holds the service lock, so
     * no other process migrates the same file at the same time.
     *
     * @return the migrations applied, empty when the database was already at {@code target}
     * @throws StoreException when the database has a newer version than this build supports, or a
     *     migration fails. The failed migration is rolled back, and earlier ones stay applied.
     */
    static List<Migration> migrate(Connection connection, Path database, int target) {
        int current = readVersion(connection, database);
        if (current > SchemaMigrations.LATEST) {
            throw new StoreException("database " + database + " has schema version " + current
                    + " but this build knows up to " + SchemaMigrations.LATEST + "; use a newer build");
        }

        List<Migration> applied = new ArrayList<>();
        for (Migration migration : SchemaMigrations.ALL) {
            if (migration.version() > current && migration.version() <= target) {
                apply(connection, database, migration);
                applied.add(migration);
            }
        }
        return applied;
    }

    /** Returns the schema version stored in the database, 0 for a new file. */
    static int readVersion(Connection connection, Path database) {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("PRAGMA user_version")) {
            result.next();
            return result.getInt(1);
        } catch (SQLException e) {
            throw StoreException.failed("read the schema version", database, e);
        }
    }

    private static void apply(Connection connection, Path database, Migration migration) {
        String operation = "schema migration " + migration.version() + " (" + migration.description() + ")";
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            try {
                for (String sql : migration.statements()) {
                    statement.execute(sql);
                }
                statement.execute("PRAGMA user_version = " + migration.version());
                statement.execute("COMMIT");
            } catch (SQLException e) {
                rollback(statement, operation, database, e);
                throw e;
            }
        } catch (SQLException e) {
            log.error("{} failed on database {}: {}", operation, database, e.getMessage());
            throw StoreException.failed(operation, database, e);
        }
        log.info("applied {} to database {}", operation, database);
    }

    private static void rollback(Statement statement, String operation, Path database, SQLException primary) {
        try {
            statement.execute("ROLLBACK");
        } catch (SQLException e) {
            log.warn("{} could not roll back on database {}: {}", operation, database, e.getMessage());
            primary.addSuppressed(e);
        }
    }
}
