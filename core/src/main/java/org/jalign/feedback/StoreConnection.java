package org.jalign.feedback;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The store's JDBC plumbing: one SQLite connection, transactions around units of work, and the
 * few statement shapes the store uses. Thread-safe by taking turns: {@link #write} and
 * {@link #read} are synchronized, and a read inside a write joins the write's transaction.
 */
final class StoreConnection implements AutoCloseable {
    private final Connection connection;
    private final String file;
    private boolean inTransaction;

    StoreConnection(Connection connection, String file) {
        this.connection = connection;
        this.file = file;
    }

    /** The raw connection, for helpers that run inside {@link #write} or {@link #read}. */
    Connection connection() {
        return connection;
    }


    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work} in a write transaction ({@code BEGIN IMMEDIATE}); commits, or rolls back on any failure. */
    synchronized <T> T write(String what, Work<T> work) {
        return transaction("BEGIN IMMEDIATE", what, work);
    }

    /** Runs {@code work} in a read transaction: one consistent snapshot, never blocking writers (WAL). */
    synchronized <T> T read(String what, Work<T> work) {
        return transaction("BEGIN DEFERRED", what, work);
    }

    private <T> T transaction(String begin, String what, Work<T> work) {
        boolean outermost;
        try {
            outermost = !inTransaction;
            if (outermost) {
                exec(begin);
                inTransaction = true;
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
        if (!outermost) {
            try {
                return work.run(); // a read inside a write: same transaction
            } catch (SQLException e) {
                throw failure(what, e);
            }
        }
        boolean committed = false;
        try {
            T result = work.run();
            exec("COMMIT");
            committed = true;
            return result;
        } catch (SQLException e) {
            throw failure(what, e);
        } finally {
            inTransaction = false;
            if (!committed) {
                try {
                    exec("ROLLBACK");
                } catch (SQLException ignored) {
                    // Nothing was open (BEGIN or COMMIT itself failed); the original error matters.
                }
            }
        }
    }

    void exec(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    ResultSet query(String sql, Object... parameters) throws SQLException {
        PreparedStatement s = connection.prepareStatement(sql);
        bind(s, parameters);
        s.closeOnCompletion();
        return s.executeQuery();
    }

    List<Long> longs(String sql, Object... parameters) throws SQLException {
        List<Long> values = new ArrayList<>();
        try (ResultSet rs = query(sql, parameters)) {
            while (rs.next()) {
                values.add(rs.getLong(1));
            }
        }
        return values;
    }

    long insert(String sql, Object... parameters) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            bind(s, parameters);
            s.executeUpdate();
        }
        return firstLong("SELECT last_insert_rowid()");
    }

    int update(String sql, Object... parameters) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            bind(s, parameters);
            return s.executeUpdate();
        }
    }

    private static void bind(PreparedStatement s, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            s.setObject(i + 1, parameters[i]);
        }
    }

    FeedbackStoreException failure(String what, SQLException e) {
        int primary = e.getErrorCode() & 0xff;
        String why = primary == 5 || primary == 6 // SQLITE_BUSY, SQLITE_LOCKED
                ? "the database stayed locked for " + FeedbackStore.BUSY_TIMEOUT.toSeconds() + " s by another writer"
                : e.getMessage();
        return new FeedbackStoreException("feedback database " + file + ": " + what + " failed: " + why, e);
    }

    /** The first column of the first row as a long, or -1 when there is no row. */
    long firstLong(String sql, Object... parameters) throws SQLException {
        return StoreAssigner.firstLong(connection, sql, parameters);
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new FeedbackStoreException("feedback database " + file + ": close failed: " + e.getMessage(), e);
        }
    }
}
