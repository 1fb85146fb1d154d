package io.tangle.microvm.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** SQL for the chain cursor, a table with at most one row. */
final class CursorTable {

    private static final String SELECT = "SELECT block_number, block_hash, log_index FROM chain_cursor WHERE singleton = 1";

    private static final String UPSERT = """
            INSERT INTO chain_cursor (singleton, block_number, block_hash, log_index) VALUES (1, ?, ?, ?)
            ON CONFLICT (singleton) DO UPDATE SET
                block_number = excluded.block_number,
                block_hash = excluded.block_hash,
                log_index = excluded.log_index""";

    private CursorTable() {
    }

    static Optional<ChainCursor> find(SerialConnection connection) throws SQLException {
        try (ResultSet rows = connection.statement(SELECT).executeQuery()) {
            if (!rows.next()) {
                return Optional.empty();
            }
            return Optional.of(new ChainCursor(
                    rows.getLong("block_number"), rows.getString("block_hash"), rows.getLong("log_index")));
        }
    }

    static void save(SerialConnection connection, ChainCursor cursor) throws SQLException {
        PreparedStatement upsert = connection.statement(UPSERT);
        upsert.setLong(1, cursor.blockNumber());
        upsert.setString(2, cursor.blockHash());
        upsert.setLong(3, cursor.logIndex());
        upsert.executeUpdate();
    }
}
