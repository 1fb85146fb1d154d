package io.tangle.microvm.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Direct SQL on a database file, for tests that set up or inspect the file behind the store. */
final class SqliteFiles {

    private SqliteFiles() {
    }

    static Connection connect(Path database) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + database);
    }

    static void execute(Path database, String... statements) throws SQLException {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** Returns the first column of the first row, or {@code null} when there is no row. */
    static String queryString(Path database, String sql) throws SQLException {
        try (Connection connection = connect(database);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    static Path databaseOf(Path dataDir, ServiceKey key) {
        return ServiceFiles.of(dataDir, key).database();
    }
}
