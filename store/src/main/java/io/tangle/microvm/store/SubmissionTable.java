package io.tangle.microvm.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for result submissions, keyed by call id. */
final class SubmissionTable {

    private static final String DELETE = "DELETE FROM submissions WHERE call_id = ?";

    private static final String UPSERT = """
            INSERT INTO submissions (call_id, status, tx_hash, attempts, error, updated_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (call_id) DO UPDATE SET
                status = excluded.status,
                tx_hash = excluded.tx_hash,
                attempts = excluded.attempts,
                error = excluded.error,
                updated_at = excluded.updated_at""";

    private static final String COLUMNS = "SELECT call_id, status, tx_hash, attempts, error, updated_at FROM submissions";

    private static final String FIND = COLUMNS + " WHERE call_id = ?";

    private static final String PENDING = COLUMNS
            + " WHERE status = 'pending' OR (status = 'failed' AND attempts < ?) ORDER BY call_id";

    private SubmissionTable() {
    }

    static void save(SerialConnection connection, SubmissionRecord submission) throws SQLException {
        PreparedStatement upsert = connection.statement(UPSERT);
        upsert.setLong(1, submission.callId());
        upsert.setString(2, submission.status().columnValue());
        upsert.setString(3, submission.txHash());
        upsert.setInt(4, submission.attempts());
        upsert.setString(5, submission.error());
        upsert.setString(6, submission.updatedAt().toString());
        upsert.executeUpdate();
    }

    static void delete(SerialConnection connection, long callId) throws SQLException {
        PreparedStatement delete = connection.statement(DELETE);
        delete.setLong(1, callId);
        delete.executeUpdate();
    }

    static Optional<SubmissionRecord> find(SerialConnection connection, long callId) throws SQLException {
        PreparedStatement find = connection.statement(FIND);
        find.setLong(1, callId);
        try (ResultSet rows = find.executeQuery()) {
            return rows.next() ? Optional.of(read(rows)) : Optional.empty();
        }
    }

    static List<SubmissionRecord> pending(SerialConnection connection, int maxAttempts) throws SQLException {
        PreparedStatement query = connection.statement(PENDING);
        query.setInt(1, maxAttempts);
        List<SubmissionRecord> submissions = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                submissions.add(read(rows));
            }
        }
        return submissions;
    }

    private static SubmissionRecord read(ResultSet rows) throws SQLException {
        return new SubmissionRecord(
                rows.getLong("call_id"),
                SubmissionRecord.Status.fromColumnValue(rows.getString("status")),
                rows.getString("tx_hash"),
                rows.getInt("attempts"),
                rows.getString("error"),
                Instant.parse(rows.getString("updated_at")));
    }
}
