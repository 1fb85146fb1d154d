package io.tangle.microvm.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable state of one service in an embedded SQLite database: VM records with their
 * snapshots, job outcomes, result submissions and the chain cursor.
 *
 * <p>Each service has its own database file under
 * {@code <dataDir>/services/<chainId>-<contract>-<serviceId>/state.db}, and one operator process
 * at a time may open it: {@link #open} takes an OS file lock and fails while another process
 * holds it. The store never needs a clean shutdown. Every committed write survives kill -9 and,
 * because each commit is synced ({@code synchronous=FULL}), also a power cut on a disk that
 * honours fsync.
 *
 * <p>Thread-safe. Writes go through one connection, one {@code BEGIN IMMEDIATE} transaction at a
 * time. Reads use a second, read-only connection, so in WAL mode they do not wait for a write
 * transaction to finish. Every wait for a connection is bounded by
 * {@link SqliteConnections#BUSY_TIMEOUT}.
 * Every failure is a {@link StoreException} that names the operation, the database file and the
 * cause.
 */
public final class SqliteStore implements JobOutcomeStore, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

    private final ServiceKey key;
    private final Path database;
    private final ServiceLock lock;
    private final SerialConnection writer;
    private final SerialConnection reader;
    private final int schemaVersion;

    private SqliteStore(
            ServiceKey key, Path database, ServiceLock lock, SerialConnection writer, SerialConnection reader, int schemaVersion) {
        this.key = key;
        this.database = database;
        this.lock = lock;
        this.writer = writer;
        this.reader = reader;
        this.schemaVersion = schemaVersion;
    }

    /**
     * Opens the service's database under the data directory, creating directories and the file
     * as needed, and migrates its schema to the latest version.
     *
     * @throws StoreException when another process or this one already has the store open, the
     *     database has a newer schema than this build supports, or SQLite fails
     */
    public static SqliteStore open(Path dataDir, ServiceKey key) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(key, "key");
        ServiceFiles files = ServiceFiles.of(dataDir, key);
        try {
            Files.createDirectories(files.directory());
        } catch (IOException e) {
            throw new StoreException("could not create the store directory " + files.directory() + ": " + e
                    + "; check that the data directory is writable", e);
        }

        ServiceLock lock = ServiceLock.acquire(files.lockFile());
        try {
            return openLocked(key, files.database(), lock);
        } catch (RuntimeException e) {
            closeAfterFailure(lock, e);
            throw e;
        }
    }

    private static SqliteStore openLocked(ServiceKey key, Path database, ServiceLock lock) {
        Connection writeConnection = openConnection("open the database for writing", database, true);
        SerialConnection writer = null;
        try {
            List<Migration> applied = SchemaMigrator.migrate(writeConnection, database, SchemaMigrations.LATEST);
            int version = SchemaMigrator.readVersion(writeConnection, database);
            writer = new SerialConnection(writeConnection, database, "BEGIN IMMEDIATE",
                    SqliteConnections.WRITER_TURN_TIMEOUT);

            // NOTE: with one read connection, concurrent reads wait for each other, though never for a
            // writer. A small pool of read connections would let them run in parallel.
            Connection readConnection = openConnection("open the database for reading", database, false);
            SerialConnection reader = new SerialConnection(readConnection, database, "BEGIN", SqliteConnections.BUSY_TIMEOUT);
            log.info("opened store {} for service {} at schema version {} ({} migrations applied now)",
                    database, key.directoryName(), version, applied.size());
            return new SqliteStore(key, database, lock, writer, reader, version);
        } catch (RuntimeException e) {
            if (writer != null) {
                closeAfterFailure(writer, e);
            } else {
                closeAfterFailure(writeConnection, e);
            }
            throw e;
        }
    }

    private static Connection openConnection(String operation, Path database, boolean forWriting) {
        try {
            return forWriting ? SqliteConnections.openWriter(database) : SqliteConnections.openReader(database);
        } catch (SQLException e) {
            log.error("{} failed on database {}: {}", operation, database, e.getMessage());
            throw StoreException.failed(operation, database, e);
        }
    }

    /** Returns the service this store belongs to. */
    public ServiceKey serviceKey() {
        return key;
    }

    /** Returns the path of the SQLite database file. */
    public Path databaseFile() {
        return database;
    }

    /** Returns the schema version of the open database. */
    public int schemaVersion() {
        return schemaVersion;
    }

    /**
     * Records a job's outcome and, in the same transaction, the VM's record after the job. Either
     * both are stored or neither is.
     *
     * <p>Exactly once: when the call already has an outcome, from this method or from
     * {@link #record}, nothing changes and the method returns {@code false}. The caller then must
     * not submit a second result for the call.
     *
     * @param position where the call's event sat on the chain
     * @param vmAfterOrNull the VM's whole record after the job, including its snapshots, or
     *     {@code null} when the job changed no VM (a failed job). It must be the VM the outcome names.
     * @return {@code true} when this call stored the outcome
     * @throws IllegalArgumentException when the VM record is for another VM than the outcome names
     */
    public boolean commitJob(JobOutcome outcome, ChainPosition position, VmRecord vmAfterOrNull) {
        return commitJob(outcome, position, vmAfterOrNull, null);
    }

    /**
     * Like {@link #commitJob(JobOutcome, ChainPosition, VmRecord)}, and also stores {@code callDigest},
     * a digest of the call's job index, caller and arguments, with the outcome.
     */
    public boolean commitJob(JobOutcome outcome, ChainPosition position, VmRecord vmAfterOrNull, String callDigest) {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(position, "position");
        if (vmAfterOrNull != null && !vmAfterOrNull.vmId().equals(outcome.vmId())) {
            throw new IllegalArgumentException("VM record " + vmAfterOrNull.vmId() + " does not belong to call "
                    + outcome.callId() + ", which names VM " + outcome.vmId());
        }

        return writer.inTransaction("commit job for call " + outcome.callId(), connection -> {
            if (!OutcomeTable.insertIfAbsent(connection, outcome, position, callDigest)) {
                log.info("call {} already has an outcome in {}; kept the first one", outcome.callId(), database);
                return false;
            }
            if (vmAfterOrNull != null) {
                VmTable.upsert(connection, vmAfterOrNull);
            }
            return true;
        });
    }

    /**
     * Moves the call's outcome to the replaced outcomes with {@code reason}, and deletes its result
     * submission, in one transaction.
     */
    @Override
    public boolean replace(long callId, String reason) {
        Objects.requireNonNull(reason, "reason");
        Instant now = Instant.now();
        return writer.inTransaction("replace the outcome of call " + callId, connection -> {
            if (!OutcomeTable.moveToReplaced(connection, callId, reason, now)) {
                return false;
            }
            SubmissionTable.delete(connection, callId);
            log.warn("call {} in {}: outcome set aside as replaced ({})", callId, database, reason);
            return true;
        });
    }

    /** Returns the call digest stored with the call's outcome; empty without an outcome or without a digest. */
    public Optional<String> findCallDigest(long callId) {
        return reader.withoutTransaction("find the call digest of call " + callId,
                connection -> OutcomeTable.findDigest(connection, callId));
    }

    /** Returns how many outcomes of the call id were set aside by {@link #replace}. */
    public long replacedOutcomeCount(long callId) {
        return reader.withoutTransaction("count replaced outcomes of call " + callId,
                connection -> OutcomeTable.replacedCount(connection, callId));
    }

    /** Stores an outcome without a chain position or VM change. A call that already has an outcome keeps its first one. */
    @Override
    public void record(JobOutcome outcome) {
        Objects.requireNonNull(outcome, "outcome");
        writer.inTransaction("record outcome of call " + outcome.callId(),
                connection -> OutcomeTable.insertIfAbsent(connection, outcome, null, null));
    }

    @Override
    public Optional<JobOutcome> find(long callId) {
        return reader.withoutTransaction("find outcome of call " + callId, connection -> OutcomeTable.find(connection, callId));
    }

    /** Returns the number of stored outcomes. */
    public long outcomeCount() {
        return reader.withoutTransaction("count outcomes", OutcomeTable::count);
    }

    /**
     * Returns the calls whose outcome was committed with a position at or after the block, in
     * chain order. After a reorg these are the calls whose events may have been replaced.
     * Outcomes stored by {@link #record} have no position and are never returned.
     */
    public List<CallAtPosition> outcomesFromBlock(long block) {
        return reader.withoutTransaction("list outcomes from block " + block,
                connection -> OutcomeTable.fromBlock(connection, block));
    }

    /**
     * Writes VM records without a job outcome, all in one transaction, replacing existing records
     * with the same id. For start-up reconciliation with the provider and for imports.
     */
    public void saveVms(List<VmRecord> vms) {
        List<VmRecord> copy = List.copyOf(vms);
        writer.inTransaction("save " + copy.size() + " VM records", connection -> {
            for (VmRecord vm : copy) {
                VmTable.upsert(connection, vm);
            }
            return null;
        });
    }

    /** Returns the VM's record with its snapshots, or empty when no VM has this id. */
    public Optional<VmRecord> findVm(String vmId) {
        Objects.requireNonNull(vmId, "vmId");
        return reader.inTransaction("find VM " + vmId, connection -> VmTable.find(connection, vmId));
    }

    /** Returns every VM record, destroyed ones included, sorted by id. Takes two queries whatever the number of VMs. */
    public List<VmRecord> listVms() {
        return reader.inTransaction("list VMs", VmTable::list);
    }

    /** Returns the last fully processed log, or empty before the first one. */
    public Optional<ChainCursor> cursor() {
        return reader.withoutTransaction("read the chain cursor", CursorTable::find);
    }

    /** Replaces the chain cursor. Moving it backwards is allowed, for reorg handling. */
    public void saveCursor(ChainCursor cursor) {
        Objects.requireNonNull(cursor, "cursor");
        writer.inTransaction("save the chain cursor at block " + cursor.blockNumber(), connection -> {
            CursorTable.save(connection, cursor);
            return null;
        });
    }

    /** Inserts or replaces the submission record of its call. */
    public void saveSubmission(SubmissionRecord submission) {
        Objects.requireNonNull(submission, "submission");
        writer.inTransaction("save the submission of call " + submission.callId(), connection -> {
            SubmissionTable.save(connection, submission);
            return null;
        });
    }

    /** Returns the submission record of a call, or empty when there is none. */
    public Optional<SubmissionRecord> findSubmission(long callId) {
        return reader.withoutTransaction("find the submission of call " + callId,
                connection -> SubmissionTable.find(connection, callId));
    }

    /**
     * Returns the submissions still to be sent, in call id order: every PENDING one and every
     * FAILED one. The store has no retry policy, so a submitter that bounds retries uses
     * {@link #pendingSubmissions(int)}. SUBMITTED records are not included, because their
     * transaction's receipt decides what happens next.
     */
    public List<SubmissionRecord> pendingSubmissions() {
        return pendingSubmissions(Integer.MAX_VALUE);
    }

    /**
     * Returns the submissions still to be sent, in call id order: every PENDING one, and the
     * FAILED ones with fewer than {@code maxAttempts} attempts.
     */
    public List<SubmissionRecord> pendingSubmissions(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts < 1: " + maxAttempts);
        }
        return reader.withoutTransaction("list pending submissions",
                connection -> SubmissionTable.pending(connection, maxAttempts));
    }

    /** Returns a PRAGMA's value on the writer connection, for tests of the connection settings. */
    String writerPragma(String name) {
        return writer.withoutTransaction("read PRAGMA " + name, connection -> {
            try (ResultSet rows = connection.statement("PRAGMA " + name).executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        });
    }

    /**
     * Closes both connections, then releases the lock. Waits, bounded, for running operations.
     * Calls after close fail with a {@link StoreException}. Closing twice does nothing.
     *
     * @throws StoreException when a connection could not be closed. The lock is then kept until
     *     the process exits, because this process might still be writing.
     */
    @Override
    public void close() {
        StoreException failure = closeConnection(reader, null);
        failure = closeConnection(writer, failure);
        if (failure != null) {
            throw failure;
        }

        lock.close();
        log.info("closed store {} of service {}", database, key.directoryName());
    }

    private StoreException closeConnection(SerialConnection connection, StoreException failure) {
        try {
            connection.close();
            return failure;
        } catch (StoreException e) {
            log.warn("closing store {} of service {} failed: {}", database, key.directoryName(), e.getMessage());
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
            return failure;
        }
    }

    private static void closeAfterFailure(AutoCloseable resource, Exception primary) {
        try {
            resource.close();
        } catch (Exception e) {
            primary.addSuppressed(e);
        }
    }
}
