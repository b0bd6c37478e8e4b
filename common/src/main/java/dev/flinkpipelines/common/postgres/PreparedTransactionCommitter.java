package dev.flinkpipelines.common.postgres;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.groups.SinkCommitterMetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;

/**
 * Commits prepared transactions once their checkpoint is complete ({@code COMMIT PREPARED}), and
 * again, idempotently, after a restore: a gid that is no longer prepared was committed before.
 */
class PreparedTransactionCommitter implements Committer<PreparedTransaction> {

    private static final Logger LOG = LoggerFactory.getLogger(PreparedTransactionCommitter.class);

    private final PostgresConnectionSettings settings;
    private final String sinkId;
    private Connection connection;

    private final Counter committed;
    private final Counter alreadyCommitted;
    private final Histogram commitLatencyMs;

    PreparedTransactionCommitter(PostgresConnectionSettings settings, String sinkId, SinkCommitterMetricGroup metrics) {
        this.settings = settings;
        this.sinkId = sinkId;
        this.committed = metrics.counter("transactionsCommitted");
        this.alreadyCommitted = metrics.counter("transactionsAlreadyCommitted");
        // from PREPARE to COMMIT PREPARED: how long written rows stayed invisible
        this.commitLatencyMs = metrics.histogram("commitLatencyMs", new DescriptiveStatisticsHistogram(1000));
    }

    @Override
    public void commit(Collection<CommitRequest<PreparedTransaction>> requests) {
        for (CommitRequest<PreparedTransaction> request : requests) {
            PreparedTransaction transaction = request.getCommittable();
            try {
                if (PreparedTransactions.commit(connection(), transaction.gid())) {
                    committed.inc();
                    commitLatencyMs.update(Math.max(0, System.currentTimeMillis() - transaction.preparedAtMillis()));
                } else {
                    alreadyCommitted.inc();
                    LOG.info("Sink {}: transaction {} is no longer prepared: it was committed before", sinkId, transaction.gid());
                    request.signalAlreadyCommitted();
                }
            } catch (SQLException e) {
                // a lost connection or a server restart: reconnect and let Flink retry the commit;
                // the prepared transaction survives both
                LOG.warn("Sink {}: COMMIT PREPARED {} failed, will retry: {}", sinkId, transaction.gid(),
                        PostgresTransactionWriter.describe(e));
                closeConnection();
                request.retryLater();
            }
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = settings.open("flink-committer " + sinkId);
            connection.setAutoCommit(true);
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
