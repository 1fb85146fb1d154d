package io.tangle.microvm.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JDBC connection that one thread at a time uses, with its prepared statements.
 *
 * <p>A SQLite connection must not be used by two threads at once, so every use holds this
 * object's lock, and the wait for the lock is bounded. The lock is held only while the
 * statements of one operation run, never across other I/O. Statements are prepared on first use
 * and kept until {@link #close()}, so repeated operations do no per-call setup.
 */
final class SerialConnection implements AutoCloseable {

    /** Statements to run while holding the connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(SerialConnection connection) throws SQLException;
    }

    private static final Logger log = LoggerFactory.getLogger(SerialConnection.class);

    private final Connection connection;
    private final Path database;
    private final String beginSql;
    private final Duration lockTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private boolean closed;

    /**
     * @param beginSql how transactions start: {@code BEGIN IMMEDIATE} for the writer, so it takes
     *     SQLite's write lock up front, where the busy timeout applies. A deferred {@code BEGIN}
     *     that reads first and then writes fails at once with {@code SQLITE_BUSY} if another
     *     connection wrote in between. Readers use a deferred {@code BEGIN}.
     */
    SerialConnection(Connection connection, Path database, String beginSql, Duration lockTimeout) {
        this.connection = connection;
        this.database = database;
        this.beginSql = beginSql;
        this.lockTimeout = lockTimeout;
    }

    /** Runs the work in one transaction: it commits when the work returns and rolls back when it throws. */
    <T> T inTransaction(String operation, Work<T> work) {
        acquire(operation);
        try {
            requireOpen(operation);
            return runInTransaction(operation, work);
        } finally {
            lock.unlock();
        }
    }

    /** Runs the work without an explicit transaction, for a single statement. */
    <T> T withoutTransaction(String operation, Work<T> work) {
        acquire(operation);
        try {
            requireOpen(operation);
            return work.run(this);
        } catch (SQLException e) {
            log.warn("{} failed on database {}: {}", operation, database, e.getMessage());
            throw StoreException.failed(operation, database, e);
        } finally {
            lock.unlock();
        }
    }

    /** Returns the prepared statement for the SQL text, preparing it on first use. */
    PreparedStatement statement(String sql) throws SQLException {
        assert lock.isHeldByCurrentThread() : "connection to " + database + " used without holding its lock";
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    private <T> T runInTransaction(String operation, Work<T> work) {
        try {
            statement(beginSql).execute();
        } catch (SQLException e) {
            log.warn("{} could not begin a transaction on database {}: {}", operation, database, e.getMessage());
            throw StoreException.failed(operation, database, e);
        }

        try {
            T result = work.run(this);
            statement("COMMIT").execute();
            return result;
        } catch (SQLException | RuntimeException e) {
            rollback(operation, e);
            log.warn("{} rolled back on database {}: {}", operation, database, e.getMessage());
            if (e instanceof SQLException sqlException) {
                throw StoreException.failed(operation, database, sqlException);
            }
            throw (RuntimeException) e;
        }
    }

    private void rollback(String operation, Exception primary) {
        try {
            statement("ROLLBACK").execute();
        } catch (SQLException e) {
            // A failed COMMIT can already have ended the transaction, and then SQLite has nothing to roll back.
            log.warn("{} could not roll back on database {}: {}", operation, database, e.getMessage());
            primary.addSuppressed(e);
        }
    }

    private void acquire(String operation) {
        boolean acquired;
        try {
            acquired = lock.tryLock(lockTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(operation + " was interrupted while waiting for the connection to database " + database, e);
        }
        if (!acquired) {
            throw new StoreException(operation + " timed out after " + lockTimeout.toMillis()
                    + " ms waiting for the connection to database " + database + ", which another operation still uses");
        }
    }

    private void requireOpen(String operation) {
        if (closed) {
            throw new StoreException(operation + " failed: the store of database " + database + " is closed");
        }
    }

    /**
     * Closes the statements and the connection. Waits, bounded, for a running operation to
     * finish, and throws when it does not. Closing twice does nothing.
     */
    @Override
    public void close() {
        acquire("close");
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeResources();
        } finally {
            lock.unlock();
        }
    }

    private void closeResources() {
        StoreException failure = null;
        for (PreparedStatement statement : statements.values()) {
            try {
                statement.close();
            } catch (SQLException e) {
                failure = addFailure(failure, e);
            }
        }
        statements.clear();
        try {
            connection.close();
        } catch (SQLException e) {
            failure = addFailure(failure, e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private StoreException addFailure(StoreException failure, SQLException e) {
        if (failure == null) {
            return StoreException.failed("close", database, e);
        }
        failure.addSuppressed(e);
        return failure;
    }
}
