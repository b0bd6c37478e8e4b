package dev.flinkpipelines.common.postgres.internal;

import dev.flinkpipelines.common.postgres.TableSpec;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.groups.SinkCommitterMetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits prepared transactions once their checkpoint is complete ({@code COMMIT PREPARED}), in
 * checkpoint order, then moves the rows a transaction staged into their tables. After a restore it
 * commits the restored transactions again, idempotently, and proves what it finds:
 *
 * <ul>
 *   <li>the gid is prepared: commit it (the xid in the gid makes it this run's transaction);
 *   <li>the gid is gone and PostgreSQL's commit log says its xid committed: it was committed before
 *       ({@code transactionsAlreadyCommitted}); staged rows left behind by a crash are moved now;
 *   <li>the gid is gone and its xid was rolled back, or its outcome is unknown: its rows are lost
 *       or may be. The job stops with a message naming the transaction; it never counts as
 *       committed.
 * </ul>
 *
 * Connection errors (PostgreSQL restarting) are retried here with back-off for {@code
 * commitRetryTimeout}, because Flink's own commit retries are immediate and would all be spent
 * within a second; after that the commit goes back to Flink ({@code retryLater}). Errors that a
 * retry cannot fix stop the job ({@link SinkFailures}).
 */
@Internal
public class PostgresCommitter implements Committer<PostgresCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresCommitter.class);

    private final SinkConfig config;
    private final String sinkId;
    private final Map<String, TableSpec> tables;
    private Connection connection;

    private final Counter committed;
    private final Counter alreadyCommitted;
    private final Counter stagedRowsMoved;
    private final Histogram commitLatencyMs;

    public PostgresCommitter(SinkConfig config, SinkCommitterMetricGroup metrics) {
        this.config = config;
        this.sinkId = config.sinkId();
        this.tables = config.tablesByName();
        this.committed = metrics.counter("transactionsCommitted");
        this.alreadyCommitted = metrics.counter("transactionsAlreadyCommitted");
        this.stagedRowsMoved = metrics.counter("stagedRowsMoved");
        // from PREPARE to COMMIT PREPARED: how long written rows stayed invisible
        this.commitLatencyMs =
                metrics.histogram("commitLatencyMs", new DescriptiveStatisticsHistogram(1000));
    }

    @Override
    public void commit(Collection<CommitRequest<PostgresCommittable>> requests)
            throws IOException, InterruptedException {
        boolean handedBack = false;
        for (CommitRequest<PostgresCommittable> request : requests) {
            if (handedBack) {
                // keep checkpoint order: a later transaction waits for the one handed back. (A
                // request
                // left untouched would count as committed.)
                request.retryLater();
            } else if (!commitWithRetries(request)) {
                handedBack = true;
            }
        }
    }

    /** Returns false when the commit was handed back to Flink for later. */
    private boolean commitWithRetries(CommitRequest<PostgresCommittable> request)
            throws IOException, InterruptedException {
        PostgresCommittable transaction = request.getCommittable();
        long deadline = System.nanoTime() + config.commitRetryTimeout().toNanos();
        long backoffMs = 100;
        while (true) {
            try {
                if (commitOne(transaction)) {
                    committed.inc();
                    commitLatencyMs.update(
                            Math.max(
                                    0,
                                    System.currentTimeMillis() - transaction.preparedAtMillis()));
                } else {
                    alreadyCommitted.inc();
                    request.signalAlreadyCommitted();
                }
                return true;
            } catch (SQLException e) {
                closeConnection();
                if (SinkFailures.isLoginRefused(e)) {
                    // not retried here: a password being rotated takes as long as the Secret takes
                    // to
                    // reach this pod, and a task that retried in place would sit INITIALIZING with
                    // nothing in the exception history. Failing the task shows the refusal in the
                    // web
                    // UI and retries with the cluster's restart back-off.
                    throw new IOException(
                            "sink "
                                    + sinkId
                                    + ": committing "
                                    + transaction
                                    + " failed, PostgreSQL refused"
                                    + " the login: "
                                    + SinkFailures.describe(e)
                                    + ". Flink restarts the job with its back-off; the"
                                    + " transaction stays prepared and is committed once the password is right.",
                            e);
                }
                if (!SinkFailures.isTransient(e)) {
                    throw SinkFailures.stop(
                            "sink "
                                    + sinkId
                                    + ": committing "
                                    + transaction
                                    + " failed: "
                                    + SinkFailures.describe(e)
                                    + ". Retrying cannot fix this, so the job stops; the transaction"
                                    + " stays prepared. Fix the cause, then resume from the latest checkpoint"
                                    + " (flink run -s <checkpoint> ...), whose committer commits it.",
                            e);
                }
                if (System.nanoTime() > deadline) {
                    LOG.warn(
                            "Sink {}: committing {} failed for {} s, Flink will retry it: {}",
                            sinkId,
                            transaction,
                            config.commitRetryTimeout().toSeconds(),
                            SinkFailures.describe(e));
                    request.retryLater();
                    return false;
                }
                LOG.warn(
                        "Sink {}: committing {} failed, retrying in {} ms: {}",
                        sinkId,
                        transaction,
                        backoffMs,
                        SinkFailures.describe(e));
                Thread.sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 5_000);
            }
        }
    }

    /** Returns true when committed now, false when it had been committed before. */
    private boolean commitOne(PostgresCommittable transaction) throws SQLException {
        Connection c = connection();
        boolean committedNow = PreparedTransactions.commit(c, transaction.gid());
        if (!committedNow) {
            if (!transaction.hasXid()) {
                // restored from the sink's first version: its committables carry nothing to check
                // against
                LOG.warn(
                        "Sink {}: transaction {} is no longer prepared; it comes from a checkpoint of the sink's first"
                                + " version, which recorded no proof, so it is taken as committed before",
                        sinkId,
                        transaction.gid());
            } else {
                switch (PreparedTransactions.outcome(c, transaction.xid())) {
                    case COMMITTED:
                        LOG.info(
                                "Sink {}: transaction {} was committed before (PostgreSQL's commit log says so)",
                                sinkId,
                                transaction.gid());
                        break;
                    case ABORTED:
                        throw SinkFailures.stop(
                                "sink "
                                        + sinkId
                                        + ": transaction "
                                        + transaction
                                        + " was rolled back"
                                        + " before it could be committed, so its rows are LOST. Something outside this job ran"
                                        + " ROLLBACK PREPARED on it (another deployment with the same sink id, or a person). The job"
                                        + " stops rather than continue without them; to write them again, restore a checkpoint"
                                        + " taken before checkpoint "
                                        + TransactionId.parse(transaction.gid())
                                                .map(TransactionId::checkpointId)
                                                .orElse(-1L)
                                        + " (flink run -s <checkpoint> ...).",
                                null);
                    case IN_PROGRESS:
                        // another session is finishing it right now: look again
                        throw new SQLException(
                                "transaction "
                                        + transaction.gid()
                                        + " is being finished by another session",
                                "40001");
                    default:
                        throw SinkFailures.stop(
                                "sink "
                                        + sinkId
                                        + ": transaction "
                                        + transaction
                                        + " is no longer prepared"
                                        + " and PostgreSQL no longer knows whether it committed (its xid "
                                        + transaction.xid()
                                        + " is older than the commit log it keeps, or from another database: was the database"
                                        + " restored from a backup?). Its rows may be lost; the job stops instead of assuming"
                                        + " either. Check the tables, then restore a newer checkpoint.",
                                null);
                }
            }
        }
        if (transaction.stagedRows() > 0) {
            long moved = StagedRows.move(c, sinkId, transaction.xid(), tables, config.batchSize());
            stagedRowsMoved.inc(moved);
            if (moved > 0) {
                LOG.info(
                        "Sink {}: moved {} staged rows of {} into their tables",
                        sinkId,
                        moved,
                        transaction.gid());
            }
        }
        return committedNow;
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = config.connection().open("flink-committer " + sinkId);
            connection.setAutoCommit(true);
            try (Statement s = connection.createStatement()) {
                s.execute("SET SESSION lock_timeout = '" + config.lockTimeout().toMillis() + "ms'");
            }
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing committer connection failed", e);
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
    }
}
