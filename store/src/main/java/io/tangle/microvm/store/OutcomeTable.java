package io.tangle.microvm.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for job outcomes, keyed by call id. */
final class OutcomeTable {

    // DO NOTHING keeps the first outcome of a call and reports 0 changed rows for a repeat.
    private static final String INSERT = """
            INSERT INTO job_outcomes
                (call_id, job_index, job, vm_id, status, error, recorded_at, block_number, block_hash, log_index,
                 call_digest)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (call_id) DO NOTHING""";

    private static final String FIND_DIGEST = "SELECT call_digest FROM job_outcomes WHERE call_id = ?";

    private static final String FIND =
            "SELECT call_id, job_index, job, vm_id, status, error, recorded_at FROM job_outcomes WHERE call_id = ?";

    private static final String COUNT = "SELECT count(*) FROM job_outcomes";

    private static final String COPY_TO_REPLACED = """
            INSERT INTO replaced_outcomes
                (call_id, job_index, job, vm_id, status, error, recorded_at, block_number, block_hash, log_index,
                 call_digest, replaced_at, reason)
            SELECT call_id, job_index, job, vm_id, status, error, recorded_at, block_number, block_hash, log_index,
                   call_digest, ?, ?
            FROM job_outcomes WHERE call_id = ?""";

    private static final String DELETE = "DELETE FROM job_outcomes WHERE call_id = ?";

    private static final String COUNT_REPLACED = "SELECT count(*) FROM replaced_outcomes WHERE call_id = ?";

    private static final String FROM_BLOCK = """
            SELECT call_id, vm_id, job, block_number, block_hash, log_index
            FROM job_outcomes
            WHERE block_number >= ?
            ORDER BY block_number, log_index, call_id""";

    private OutcomeTable() {
    }

    /**
     * Inserts the outcome unless its call already has one.
     *
     * @param position where the call's event sat, or {@code null} when unknown
     * @param callDigest the digest of the call's job index, caller and arguments, or {@code null}
     * @return whether a row was inserted
     */
    static boolean insertIfAbsent(SerialConnection connection, JobOutcome outcome, ChainPosition position,
            String callDigest) throws SQLException {
        PreparedStatement insert = connection.statement(INSERT);
        insert.setLong(1, outcome.callId());
        insert.setInt(2, outcome.jobIndex());
        insert.setString(3, outcome.job());
        insert.setString(4, outcome.vmId());
        insert.setString(5, outcome.status().wireName());
        insert.setString(6, outcome.error());
        insert.setString(7, outcome.recordedAt().toString());
        Columns.setNullableLong(insert, 8, position == null ? null : position.blockNumber());
        insert.setString(9, position == null ? null : position.blockHash());
        Columns.setNullableLong(insert, 10, position == null ? null : position.logIndex());
        insert.setString(11, callDigest);
        return insert.executeUpdate() == 1;
    }

    /** Returns the call digest stored with the call's outcome; empty without an outcome or a digest. */
    static Optional<String> findDigest(SerialConnection connection, long callId) throws SQLException {
        PreparedStatement find = connection.statement(FIND_DIGEST);
        find.setLong(1, callId);
        try (ResultSet rows = find.executeQuery()) {
            return rows.next() ? Optional.ofNullable(rows.getString(1)) : Optional.empty();
        }
    }

    /** Moves the call's outcome to {@code replaced_outcomes}; returns whether it had one. */
    static boolean moveToReplaced(SerialConnection connection, long callId, String reason, Instant at) throws SQLException {
        PreparedStatement copy = connection.statement(COPY_TO_REPLACED);
        copy.setString(1, at.toString());
        copy.setString(2, reason);
        copy.setLong(3, callId);
        if (copy.executeUpdate() == 0) {
            return false;
        }
        PreparedStatement delete = connection.statement(DELETE);
        delete.setLong(1, callId);
        delete.executeUpdate();
        return true;
    }

    /** Returns how many outcomes of the call id were replaced. */
    static long replacedCount(SerialConnection connection, long callId) throws SQLException {
        PreparedStatement count = connection.statement(COUNT_REPLACED);
        count.setLong(1, callId);
        try (ResultSet rows = count.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    static Optional<JobOutcome> find(SerialConnection connection, long callId) throws SQLException {
        PreparedStatement find = connection.statement(FIND);
        find.setLong(1, callId);
        try (ResultSet rows = find.executeQuery()) {
            if (!rows.next()) {
                return Optional.empty();
            }
            return Optional.of(new JobOutcome(
                    rows.getLong("call_id"),
                    rows.getInt("job_index"),
                    rows.getString("job"),
                    rows.getString("vm_id"),
                    status(rows.getString("status")),
                    rows.getString("error"),
                    Instant.parse(rows.getString("recorded_at"))));
        }
    }

    static long count(SerialConnection connection) throws SQLException {
        try (ResultSet rows = connection.statement(COUNT).executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    static List<CallAtPosition> fromBlock(SerialConnection connection, long block) throws SQLException {
        PreparedStatement query = connection.statement(FROM_BLOCK);
        query.setLong(1, block);
        List<CallAtPosition> calls = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                calls.add(new CallAtPosition(
                        rows.getLong("call_id"),
                        rows.getString("vm_id"),
                        rows.getString("job"),
                        rows.getLong("block_number"),
                        rows.getString("block_hash"),
                        rows.getLong("log_index")));
            }
        }
        return calls;
    }

    private static JobOutcome.Status status(String value) {
        for (JobOutcome.Status status : JobOutcome.Status.values()) {
            if (status.wireName().equals(value)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown job outcome status '" + value + "' in table job_outcomes");
    }
}
