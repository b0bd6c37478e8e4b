package dev.flinkpipelines.common.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** PostgreSQL's two-phase-commit statements and the checks around them. */
public final class PreparedTransactions {

    /** SQLSTATE 42704 undefined_object: "prepared transaction with identifier ... does not exist". */
    static final String UNDEFINED_OBJECT = "42704";

    private PreparedTransactions() {}

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
                        "PostgreSQL at " + where + " has max_prepared_transactions = 0, so it cannot run the"
                                + " exactly-once sink's PREPARE TRANSACTION. Set max_prepared_transactions in"
                                + " postgresql.conf (at least 2 x the sink parallelism x the number of jobs, e.g. 100)"
                                + " and restart the server.");
            }
        }
    }

    /** Prepared transactions of this database whose gid this sink wrote. */
    static List<TransactionId> listOwn(Connection connection, String sinkId) throws SQLException {
        List<TransactionId> own = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND starts_with(gid, ?)")) {
            s.setString(1, sinkId + ":");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    TransactionId.parse(rs.getString(1))
                            .filter(id -> id.sinkId().equals(sinkId))
                            .ifPresent(own::add);
                }
            }
        }
        return own;
    }

    static boolean isPrepared(Connection connection, String gid) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT 1 FROM pg_prepared_xacts WHERE gid = ? AND database = current_database()")) {
            s.setString(1, gid);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Which of this sink's prepared transactions no restored checkpoint will commit, seen from
     * writer {@code subtask} of {@code parallelism}. A transaction labelled with a checkpoint up to
     * the restored one is in the restored committer state (committed, or about to be); anything
     * later, or anything at all when nothing was restored, is an orphan. Orphans of old subtasks
     * that no longer exist after a scale-down are taken by {@code oldSubtask % parallelism}, so
     * each is rolled back by exactly one new subtask.
     */
    static List<TransactionId> orphans(
            List<TransactionId> own, int subtask, int parallelism, OptionalLong restoredCheckpointId) {
        List<TransactionId> orphans = new ArrayList<>();
        for (TransactionId id : own) {
            boolean mine = id.subtask() % parallelism == subtask;
            boolean committedByRestore =
                    restoredCheckpointId.isPresent() && id.checkpointId() <= restoredCheckpointId.getAsLong();
            if (mine && !committedByRestore) {
                orphans.add(id);
            }
        }
        return orphans;
    }

    /** Commits; returns false when the gid is no longer prepared (committed before). */
    static boolean commit(Connection autoCommitConnection, String gid) throws SQLException {
        return finish(autoCommitConnection, "COMMIT PREPARED", gid);
    }

    /** Rolls back; returns false when the gid is no longer prepared. */
    static boolean rollback(Connection autoCommitConnection, String gid) throws SQLException {
        return finish(autoCommitConnection, "ROLLBACK PREPARED", gid);
    }

    private static boolean finish(Connection autoCommitConnection, String statement, String gid) throws SQLException {
        // gids are built from checked sink ids and numbers (TransactionId): nothing to escape
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
