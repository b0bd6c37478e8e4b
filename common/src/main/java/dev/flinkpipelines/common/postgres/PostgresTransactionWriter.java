package dev.flinkpipelines.common.postgres;

import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Writes every table of a job into one PostgreSQL transaction per subtask and checkpoint, and at
 * the checkpoint barrier turns it into a prepared transaction ({@code PREPARE TRANSACTION}) whose
 * gid goes to the committer.
 *
 * <p><b>Why writes can be deferred.</b> After {@code PREPARE}, the transaction still holds its row
 * locks until the committer runs {@code COMMIT PREPARED}. The committer is usually chained into
 * the same task and commits on the task thread. If this writer upserted a row the previous
 * prepared transaction still locks, it would block that very thread and the commit could never
 * run. So while its previous transaction is still prepared, the writer only buffers rows; it
 * first lets pending checkpoint notifications run ({@link MailboxExecutor#tryYield()}), and if
 * the previous transaction is still prepared at the next barrier (its checkpoint was aborted or
 * the notification is late), the buffered rows are kept in the writer's checkpoint state instead
 * of a transaction and are written in a later one. No row is lost or doubled either way.
 *
 * <p>The transaction for a checkpoint is labelled with the checkpoint the writer expects next
 * (last snapshotted + 1), the same id Flink gives the committables emitted at end of input.
 */
final class PostgresTransactionWriter
        implements StatefulSinkWriter<TableRow, List<TableRow>>, CommittingSinkWriter<TableRow, PreparedTransaction> {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresTransactionWriter.class);

    /** How long end of input waits for the previous transaction's commit before writing anyway. */
    private static final Duration END_OF_INPUT_COMMIT_WAIT = Duration.ofSeconds(30);
    /** Rows buffered (in batches) behind a prepared transaction before the writer holds its input instead. */
    private static final int BUFFER_WHILE_PREPARED_BATCHES = 10;
    /** The longest the writer holds its input for the previous commit, once per checkpoint. */
    private static final Duration BACKLOG_COMMIT_WAIT = Duration.ofSeconds(5);

    private final PostgresConnectionSettings settings;
    private final String sinkId;
    private final int subtask;
    private final int batchSize;
    /** false: at least once, a plain COMMIT at the barrier and no committables. */
    private final boolean exactlyOnce;
    private final MailboxExecutor mailbox;
    private final Map<String, TableBuffer> buffers = new LinkedHashMap<>();

    private Connection connection;
    private long lastCheckpointId;
    private boolean transactionHasWrites;
    private long rowsInTransaction;
    private int bufferedRows;
    private int nextWriteAttemptAt;
    /** gid this writer prepared and has not yet seen committed; null when none. */
    private String previousGid;
    private boolean waitedForCommitSinceBarrier;

    private final Counter rowsWritten;
    private final Counter transactionsPrepared;
    private final Counter transactionsRolledBack;
    private final Counter rowsCarriedOver;
    private final Counter transactionsCommitted;

    PostgresTransactionWriter(
            PostgresConnectionSettings settings,
            String sinkId,
            List<TableSpec> tables,
            int batchSize,
            Duration lockTimeout,
            boolean exactlyOnce,
            int subtask,
            int parallelism,
            OptionalLong restoredCheckpointId,
            MailboxExecutor mailbox,
            SinkWriterMetricGroup metrics,
            Collection<List<TableRow>> restoredRows)
            throws IOException {
        this.settings = settings;
        this.sinkId = sinkId;
        this.subtask = subtask;
        this.batchSize = batchSize;
        this.exactlyOnce = exactlyOnce;
        this.nextWriteAttemptAt = batchSize;
        this.mailbox = mailbox;
        this.lastCheckpointId = restoredCheckpointId.orElse(0L);
        for (TableSpec table : tables) {
            buffers.put(table.name(), new TableBuffer(table));
        }
        this.rowsWritten = metrics.counter("rowsWritten");
        this.transactionsPrepared = metrics.counter("transactionsPrepared");
        this.transactionsRolledBack = metrics.counter("transactionsRolledBack");
        this.rowsCarriedOver = metrics.counter("rowsCarriedOver");
        // at least once only: transactions this writer committed itself at a barrier
        this.transactionsCommitted = metrics.counter("transactionsCommittedAtBarrier");
        metrics.gauge("rowsBuffered", () -> bufferedRows);

        try {
            connection = settings.open("flink-sink " + sinkId + "/" + subtask);
            PreparedTransactions.requireEnabled(connection, settings.url());
            rollBackOrphans(parallelism, restoredCheckpointId);
            try (Statement s = connection.createStatement()) {
                // a safety net: a lock wait this long means something outside this design holds
                // our rows (another job with the same tables and keys); fail and restart rather
                // than hang forever
                s.execute("SET SESSION lock_timeout = '" + lockTimeout.toMillis() + "ms'");
            }
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            closeQuietly();
            throw new IOException("sink " + sinkId + " subtask " + subtask + ": " + e.getMessage(), e);
        }
        for (List<TableRow> rows : restoredRows) {
            for (TableRow row : rows) {
                buffer(row);
            }
        }
        if (bufferedRows > 0) {
            LOG.info("Sink {} subtask {}: restored {} rows carried in checkpoint state", sinkId, subtask, bufferedRows);
        }
    }

    private void rollBackOrphans(int parallelism, OptionalLong restoredCheckpointId) throws SQLException {
        List<TransactionId> own = PreparedTransactions.listOwn(connection, sinkId);
        for (TransactionId orphan : PreparedTransactions.orphans(own, subtask, parallelism, restoredCheckpointId)) {
            if (PreparedTransactions.rollback(connection, orphan.gid())) {
                transactionsRolledBack.inc();
                LOG.info(
                        "Sink {} subtask {}: rolled back prepared transaction {} that no restored checkpoint"
                                + " (restored: {}) will commit",
                        sinkId, subtask, orphan.gid(), restoredCheckpointId);
            }
        }
    }

    @Override
    public void write(TableRow row, Context context) throws IOException, InterruptedException {
        buffer(row);
        if (bufferedRows >= nextWriteAttemptAt) {
            if (writeBufferedRows()) {
                nextWriteAttemptAt = batchSize;
            } else if (bufferedRows >= BUFFER_WHILE_PREPARED_BATCHES * batchSize && !waitedForCommitSinceBarrier) {
                // A backlog: the previous commit is late because another subtask has not reached
                // the barrier yet. Buffering on would make the next write (and so this subtask's
                // next barrier) as late, and the other subtasks then wait for us: measured, the
                // checkpoints of a backlog grew 0.2 s -> 1.8 s -> 7 s -> 18 s. Instead hold the
                // input here (backpressure) until the commit lands, once per checkpoint and for a
                // bounded time; after that buffer as before, so an aborted checkpoint cannot stall us.
                waitedForCommitSinceBarrier = true;
                awaitPreviousCommit(BACKLOG_COMMIT_WAIT, false);
                nextWriteAttemptAt = writeBufferedRows() ? batchSize : bufferedRows + batchSize;
            } else {
                // still waiting for the previous commit: look again one batch later
                nextWriteAttemptAt = bufferedRows + batchSize;
            }
        }
    }

    private void buffer(TableRow row) {
        TableBuffer buffer = buffers.get(row.table());
        if (buffer == null) {
            throw new IllegalArgumentException(
                    "sink " + sinkId + " has no table '" + row.table() + "' (it writes " + buffers.keySet() + ")");
        }
        int before = buffer.size();
        buffer.add(row);
        bufferedRows += buffer.size() - before;
    }

    /** Writes the buffered rows unless the previous transaction still holds locks. */
    private boolean writeBufferedRows() throws IOException {
        try {
            if (previousGid != null) {
                if (PreparedTransactions.isPrepared(connection, previousGid)) {
                    return false;
                }
                previousGid = null;
            }
            long written = 0;
            for (TableBuffer buffer : buffers.values()) {
                written += buffer.writeTo(connection);
            }
            bufferedRows = 0;
            if (written > 0) {
                transactionHasWrites = true;
                rowsInTransaction += written;
                rowsWritten.inc(written);
            }
            return true;
        } catch (SQLException e) {
            throw new IOException("sink " + sinkId + " subtask " + subtask + ": writing rows failed: " + describe(e), e);
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        // let checkpoint notifications that are already queued run first: the chained committer
        // may be about to commit our previous transaction
        while (mailbox.tryYield()) {
            // keep draining
        }
        if (endOfInput && previousGid != null && bufferedRows > 0) {
            awaitPreviousCommit(END_OF_INPUT_COMMIT_WAIT, true);
        }
    }

    /**
     * Waits at most {@code bound}, processing mails (which is where the commit happens), for the
     * previous transaction's commit. End of input has no later barrier to carry rows to, so there
     * ({@code writeAnywayAfter}) past the bound it writes anyway, relying on the lock timeout to
     * turn a true conflict into a restart; a backlog's wait just returns and keeps buffering.
     */
    private void awaitPreviousCommit(Duration bound, boolean writeAnywayAfter) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        try {
            while (previousGid != null && PreparedTransactions.isPrepared(connection, previousGid)) {
                if (System.nanoTime() > deadline) {
                    if (writeAnywayAfter) {
                        LOG.warn("Sink {} subtask {}: previous transaction {} still prepared at end of input;"
                                + " writing the last rows anyway", sinkId, subtask, previousGid);
                        previousGid = null;
                    }
                    return;
                }
                if (!mailbox.tryYield()) {
                    Thread.sleep(10);
                }
            }
            previousGid = null;
        } catch (SQLException e) {
            throw new IOException("sink " + sinkId + " subtask " + subtask + ": " + describe(e), e);
        }
    }

    @Override
    public Collection<PreparedTransaction> prepareCommit() throws IOException {
        if (!exactlyOnce) {
            return commitAtBarrier();
        }
        if (bufferedRows > 0 && !writeBufferedRows()) {
            rowsCarriedOver.inc(bufferedRows);
            LOG.info("Sink {} subtask {}: previous transaction {} not committed yet; carrying {} rows in"
                    + " checkpoint state to the next transaction", sinkId, subtask, previousGid, bufferedRows);
            return List.of();
        }
        if (!transactionHasWrites) {
            return List.of();
        }
        String gid = new TransactionId(sinkId, subtask, lastCheckpointId + 1).gid();
        try (Statement s = connection.createStatement()) {
            s.execute("PREPARE TRANSACTION '" + gid + "'");
        } catch (SQLException e) {
            throw new IOException("sink " + sinkId + " subtask " + subtask + ": PREPARE TRANSACTION " + gid
                    + " failed: " + describe(e), e);
        }
        PreparedTransaction prepared = new PreparedTransaction(gid, System.currentTimeMillis(), rowsInTransaction);
        transactionsPrepared.inc();
        LOG.debug("Sink {} subtask {}: prepared {} with {} rows", sinkId, subtask, gid, rowsInTransaction);
        transactionHasWrites = false;
        rowsInTransaction = 0;
        previousGid = gid;
        waitedForCommitSinceBarrier = false;
        nextWriteAttemptAt = batchSize;
        return List.of(prepared);
    }

    /**
     * At least once: write what is buffered and COMMIT now. Nothing is ever left prepared, so no
     * write has to wait for a previous transaction's locks and nothing goes to the committer.
     */
    private Collection<PreparedTransaction> commitAtBarrier() throws IOException {
        if (bufferedRows > 0) {
            writeBufferedRows();
        }
        if (transactionHasWrites) {
            try {
                connection.commit();
            } catch (SQLException e) {
                throw new IOException("sink " + sinkId + " subtask " + subtask + ": COMMIT failed: " + describe(e), e);
            }
            transactionsCommitted.inc();
            transactionHasWrites = false;
            rowsInTransaction = 0;
        }
        nextWriteAttemptAt = batchSize;
        return List.of();
    }

    @Override
    public List<List<TableRow>> snapshotState(long checkpointId) {
        lastCheckpointId = checkpointId;
        if (bufferedRows == 0) {
            return List.of();
        }
        List<TableRow> carried = new ArrayList<>(bufferedRows);
        for (TableBuffer buffer : buffers.values()) {
            carried.addAll(buffer.rows());
        }
        return List.of(carried);
    }

    @Override
    public void close() {
        // an open, unprepared transaction dies with the connection; prepared ones are the
        // committer's (or a restarted writer's) business
        closeQuietly();
    }

    private void closeQuietly() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing connection of sink {} failed", sinkId, e);
            }
            connection = null;
        }
    }

    static String describe(SQLException e) {
        return e.getMessage() + " (SQLSTATE " + e.getSQLState() + ")";
    }
}
