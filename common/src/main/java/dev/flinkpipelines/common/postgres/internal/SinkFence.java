package dev.flinkpipelines.common.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live writer per sink id and database. Each writer subtask holds a PostgreSQL session-level
 * advisory lock on (sink id, subtask) for as long as its connection lives, and names its session
 * {@code flink <job id> <subtask> <sink id>} so the holder of a lock can be identified. A second
 * deployment of the same sink id (the same jar submitted twice, a {@code --bounded} backfill next
 * to the streaming job, a savepoint resumed while the original still runs) finds the locks taken
 * and is refused before it rolls back anything: without the fence its start would roll back the
 * live job's prepared transactions as its own leftovers.
 *
 * <p>The lock dies with the session, so a crashed or cancelled job frees it. A session of an
 * earlier attempt of the same job that has not noticed its end yet (a TaskManager cut off from the
 * network) is terminated; a different job is waited for briefly (a job just stopped may still be
 * closing its connections) and then refused.
 */
@Internal
public final class SinkFence {

    private static final Logger LOG = LoggerFactory.getLogger(SinkFence.class);

    /** PostgreSQL keeps application_name to 63 bytes. */
    private static final int APPLICATION_NAME_MAX = 63;

    private SinkFence() {}

    /** The advisory lock's first key: a stable 32-bit hash of the sink id. */
    static int lockKey(String sinkId) {
        return ("flink-pipelines sink " + sinkId).hashCode();
    }

    /** The session name a writer subtask uses; the job id is what tells holders apart. */
    static String applicationName(String jobId, int subtask, String sinkId) {
        String name = "flink " + jobId + " " + subtask + " " + sinkId;
        return name.length() <= APPLICATION_NAME_MAX
                ? name
                : name.substring(0, APPLICATION_NAME_MAX);
    }

    /**
     * Takes writer subtask {@code subtask}'s lock of {@code sinkId} on {@code connection} and makes
     * sure no other job holds any of the sink's locks; throws the job-stopping refusal otherwise.
     */
    static void acquire(
            Connection connection, String sinkId, int subtask, String jobId, Duration grace)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        int ownPid = backendPid(connection);
        boolean locked = false;
        while (true) {
            if (!locked) {
                locked = tryLock(connection, sinkId, subtask);
            }
            List<Holder> others = new ArrayList<>();
            for (Holder holder : holders(connection, sinkId)) {
                if (holder.pid() == ownPid) {
                    continue;
                }
                if (jobId.equals(holder.jobId())) {
                    if (!locked && holder.subtask() == subtask) {
                        // an earlier attempt of this very job whose session outlived it
                        LOG.warn(
                                "Sink {} subtask {}: terminating the session of an earlier attempt of this job that"
                                        + " still holds the writer lock: {}",
                                sinkId,
                                subtask,
                                holder.describe());
                        terminate(connection, holder.pid());
                    }
                } else {
                    others.add(holder);
                }
            }
            if (locked && others.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                if (locked) {
                    unlock(connection, sinkId, subtask);
                }
                Holder other = others.isEmpty() ? null : others.get(0);
                throw SinkFailures.stop(
                        "sink id '"
                                + sinkId
                                + "' is in use on this database by "
                                + (other == null ? "another session" : other.describe())
                                + ": only one job may write with a sink id, or they would roll back each other's transactions."
                                + " Stop that job first, or give this deployment its own --sink-id.",
                        null);
            }
            Thread.sleep(250);
        }
    }

    private static boolean tryLock(Connection connection, String sinkId, int subtask)
            throws SQLException {
        try (PreparedStatement s =
                connection.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            s.setInt(1, lockKey(sinkId));
            s.setInt(2, subtask);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static void unlock(Connection connection, String sinkId, int subtask)
            throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
            s.setInt(1, lockKey(sinkId));
            s.setInt(2, subtask);
            s.executeQuery().close();
        }
    }

    private static int backendPid(Connection connection) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT pg_backend_pid()");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void terminate(Connection connection, int pid) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
            s.setInt(1, pid);
            s.executeQuery().close();
        }
    }

    /** A session holding one of a sink's writer locks. */
    public record Holder(
            int pid, int subtask, String applicationName, String clientAddress, Instant since) {
        /** The Flink job id the session belongs to, when it is one of our writers. */
        public String jobId() {
            String[] parts = applicationName == null ? new String[0] : applicationName.split(" ");
            return parts.length >= 2 && parts[0].equals("flink") ? parts[1] : null;
        }

        public String describe() {
            String job = jobId();
            return "Flink job "
                    + (job != null ? job : "(unknown: session '" + applicationName + "')")
                    + " (PostgreSQL session pid "
                    + pid
                    + (clientAddress == null ? "" : " from " + clientAddress)
                    + ", writer subtask "
                    + subtask
                    + (since == null ? "" : ", since " + since)
                    + ")";
        }
    }

    /** Every session holding one of {@code sinkId}'s writer locks in this database. */
    public static List<Holder> holders(Connection connection, String sinkId) throws SQLException {
        List<Holder> holders = new ArrayList<>();
        // advisory lock keys show up as oids (unsigned): compare as bigint
        try (PreparedStatement s =
                connection.prepareStatement(
                        "SELECT l.pid, l.objid::bigint, a.application_name, host(a.client_addr), a.backend_start"
                                + " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
                                + " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
                                + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                                + " AND l.classid::bigint = ? ORDER BY l.objid::bigint, l.pid")) {
            s.setLong(1, Integer.toUnsignedLong(lockKey(sinkId)));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Timestamp since = rs.getTimestamp(5);
                    holders.add(
                            new Holder(
                                    rs.getInt(1),
                                    (int) rs.getLong(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    since == null ? null : since.toInstant()));
                }
            }
        }
        return holders;
    }
}
