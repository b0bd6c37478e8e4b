package dev.flinkpipelines.common.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.annotation.Internal;

/** PostgreSQL's two-phase-commit statements and the checks around them. */
@Internal
public final class PreparedTransactions {

    /**
     * SQLSTATE 42704 undefined_object: "prepared transaction with identifier ... does not exist".
     */
    static final String UNDEFINED_OBJECT = "42704";

    private PreparedTransactions() {}

    /** A transaction of the sink that is prepared right now, and since when. */
    public record Prepared(TransactionId id, Instant preparedAt, String owner) {}

    /** What PostgreSQL knows of a transaction that is no longer prepared. */
    enum Outcome {
        COMMITTED,
        ABORTED,
        IN_PROGRESS,
        UNKNOWN
    }

    /**
     * Fails with a message that says what to change when the server cannot prepare transactions
     * (PostgreSQL ships with {@code max_prepared_transactions = 0}).
     */
    public static void requireEnabled(Connection connection, String where) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SHOW max_prepared_transactions")) {
            rs.next();
            int max = Integer.parseInt(rs.getString(1));
            if (max <= 0) {
                throw new SQLException(
                        "PostgreSQL at "
                                + where
                                + " has max_prepared_transactions = 0, so it cannot run the"
                                + " exactly-once sink's PREPARE TRANSACTION. Set max_prepared_transactions in"
                                + " postgresql.conf (at least 2 x the sink parallelism x the number of jobs, e.g. 100)"
                                + " and restart the server.",
                        "55000");
            }
        }
    }

    /** Prepared transactions of this database whose gid this sink wrote, oldest first. */
    public static List<Prepared> listOwn(Connection connection, String sinkId) throws SQLException {
        List<Prepared> own = new ArrayList<>();
        try (PreparedStatement s =
                connection.prepareStatement(
                        "SELECT gid, prepared, owner FROM pg_prepared_xacts"
                                + " WHERE database = current_database() AND starts_with(gid, ?) ORDER BY prepared, gid")) {
            s.setString(1, sinkId + ":");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Timestamp prepared = rs.getTimestamp(2);
                    String owner = rs.getString(3);
                    TransactionId.parse(rs.getString(1))
                            .filter(id -> id.sinkId().equals(sinkId))
                            .ifPresent(
                                    id -> own.add(new Prepared(id, prepared.toInstant(), owner)));
                }
            }
        }
        return own;
    }

    public static boolean isPrepared(Connection connection, String gid) throws SQLException {
        try (PreparedStatement s =
                connection.prepareStatement(
                        "SELECT 1 FROM pg_prepared_xacts WHERE gid = ? AND database = current_database()")) {
            s.setString(1, gid);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The 64-bit id of the connection's open transaction (assigning one if it has none yet). */
    static long currentXid(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_xact_id()::text")) {
            rs.next();
            return Long.parseLong(rs.getString(1));
        }
    }

    /**
     * Whether transaction {@code xid} committed, by PostgreSQL's own commit log ({@code
     * pg_xact_status}). {@link Outcome#UNKNOWN} when the database no longer keeps its status (older
     * than the oldest transaction it remembers) or never had it (an xid from another database or
     * from before a restore of this one from a backup).
     */
    static Outcome outcome(Connection connection, long xid) throws SQLException {
        try (PreparedStatement s =
                connection.prepareStatement("SELECT pg_xact_status(?::text::xid8)")) {
            s.setString(1, Long.toString(xid));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                String status = rs.getString(1);
                if (status == null) {
                    return Outcome.UNKNOWN;
                }
                switch (status) {
                    case "committed":
                        return Outcome.COMMITTED;
                    case "aborted":
                        return Outcome.ABORTED;
                    default:
                        return Outcome.IN_PROGRESS;
                }
            }
        } catch (SQLException e) {
            // 22023: "transaction ID ... is in the future": not a transaction of this database's
            // history
            if ("22023".equals(e.getSQLState())) {
                return Outcome.UNKNOWN;
            }
            throw e;
        }
    }

    /** The outcome of a gid that is not prepared (anymore), from the xid it names. */
    static Optional<Outcome> outcomeOf(Connection connection, TransactionId id)
            throws SQLException {
        return id.hasXid() ? Optional.of(outcome(connection, id.xid())) : Optional.empty();
    }

    /** Commits; returns false when the gid is not prepared (anymore). */
    static boolean commit(Connection autoCommitConnection, String gid) throws SQLException {
        return finish(autoCommitConnection, "COMMIT PREPARED", gid);
    }

    /** Rolls back; returns false when the gid is not prepared (anymore). */
    public static boolean rollback(Connection autoCommitConnection, String gid)
            throws SQLException {
        return finish(autoCommitConnection, "ROLLBACK PREPARED", gid);
    }

    private static boolean finish(Connection autoCommitConnection, String statement, String gid)
            throws SQLException {
        // gids are built from checked sink ids and numbers (TransactionId): nothing to escape
        TransactionId.parse(gid)
                .orElseThrow(() -> new IllegalArgumentException("not a sink gid: " + gid));
        try (Statement s = autoCommitConnection.createStatement()) {
            s.execute(statement + " '" + gid + "'");
            return true;
        } catch (SQLException e) {
            if (UNDEFINED_OBJECT.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }
}
