package dev.flinkpipelines.common.postgres.internal;

import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableSpec;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every table of a job into one PostgreSQL transaction per subtask and checkpoint, and at
 * the checkpoint barrier turns it into a prepared transaction ({@code PREPARE TRANSACTION}) whose
 * gid — with the transaction's xid in it — goes to the committer.
 *
 * <p><b>Never under its own locks.</b> After {@code PREPARE}, the transaction holds its row locks
 * until the committer runs {@code COMMIT PREPARED}, on this same task thread, once the checkpoint
 * completes. A write to a row it locks would block that thread and the commit could never run. So
 * while the previous transaction is still prepared the writer buffers rows; it first lets pending
 * checkpoint notifications run ({@link MailboxExecutor#tryYield()}). If the previous transaction is
 * still prepared when the buffer is full or at the next barrier (a late or aborted checkpoint, end
 * of input, a stop with savepoint), the writer <em>stages</em> its rows in {@code
 * flink_sink_staged_rows} inside its open transaction instead — a plain insert that waits on
 * nothing — and the committer moves them into their tables right after committing it, in checkpoint
 * order. Nothing is ever kept in writer state, nothing waits on a lock, memory stays bounded, and
 * {@code flush(true)} returns at once.
 *
 * <p><b>At start</b> the writer takes the sink's fence ({@link SinkFence}), then rolls back the
 * leftovers it owns ({@link SubtaskOwnership}): every prepared transaction of the sink named with
 * an owned writer id that the restored checkpoint does not list as pending, whatever run prepared
 * it, and the staged rows of such transactions. Then it waits until the other subtasks and the
 * committers have finished theirs: nothing restored is still prepared or staged. Only then does it
 * write a row, so a restored transaction (or staged rows) of another subtask — after a rescale,
 * keys move between subtasks — can never meet this writer's locks.
 *
 * <p>The transaction for a checkpoint is labelled with the checkpoint the writer expects next (last
 * snapshotted + 1), the same id Flink gives the committables emitted at end of input.
 */
@Internal
public final class PostgresSinkWriter
        implements StatefulSinkWriter<TableRow, PostgresWriterState>,
                CommittingSinkWriter<TableRow, PostgresCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresSinkWriter.class);

    /**
     * Batches buffered behind a prepared transaction before the writer stages them: the memory
     * bound.
     */
    static final int BUFFER_WHILE_PREPARED_BATCHES = 10;

    private final SinkConfig config;
    private final String sinkId;
    private final int subtask;
    private final int batchSize;
    private final MailboxExecutor mailbox;
    private final SubtaskOwnership ownership;
    private final Map<String, TableBuffer> buffers = new LinkedHashMap<>();

    private Connection connection;
    private long lastCheckpointId;
    private int bufferedRows;
    private int nextWriteAttemptAt;
    private boolean waitedForCommitSinceBarrier;

    // the open transaction
    private boolean transactionHasWrites;
    private long rowsInTransaction;

    /**
     * xid of the open transaction once known (it is needed for staging and at PREPARE), else -1.
     */
    private long openXid = -1;

    /**
     * Once a transaction stages a row, all its later rows are staged too: they must apply in order.
     */
    private boolean staging;

    private long stagedInTransaction;

    /** gid this writer prepared and has not yet seen committed; null when none. */
    private String previousGid;

    /**
     * Committables emitted and not yet seen committed, oldest first; listed in the writer state.
     */
    private final List<String> pendingGids = new ArrayList<>();

    private volatile long oldestPendingPreparedAt;

    private final Counter rowsWritten;
    private final Counter rowsStaged;
    private final Counter transactionsPrepared;
    private final Counter transactionsRolledBack;
    private final Counter transactionsCommittedAtBarrier;

    public PostgresSinkWriter(
            SinkConfig config,
            String jobId,
            int subtask,
            int parallelism,
            OptionalLong restoredCheckpointId,
            MailboxExecutor mailbox,
            SinkWriterMetricGroup metrics,
            Collection<PostgresWriterState> restored)
            throws IOException {
        this.config = config;
        this.sinkId = config.sinkId();
        this.subtask = subtask;
        this.batchSize = config.batchSize();
        this.nextWriteAttemptAt = batchSize;
        this.mailbox = mailbox;
        this.lastCheckpointId = restoredCheckpointId.orElse(0L);
        this.ownership = SubtaskOwnership.of(subtask, parallelism, restored);
        for (TableSpec table : config.tables()) {
            buffers.put(table.name(), new TableBuffer(table));
        }
        this.rowsWritten = metrics.counter("rowsWritten");
        this.rowsStaged = metrics.counter("rowsStaged");
        this.transactionsPrepared = metrics.counter("transactionsPrepared");
        this.transactionsRolledBack = metrics.counter("transactionsRolledBack");
        // at least once only: transactions this writer committed itself at a barrier
        this.transactionsCommittedAtBarrier = metrics.counter("transactionsCommittedAtBarrier");
        metrics.gauge("rowsBuffered", () -> bufferedRows);
        metrics.gauge("oldestPreparedTransactionAgeMs", this::oldestPreparedTransactionAgeMs);

        String where = "sink " + sinkId + " subtask " + subtask;
        try {
            connection =
                    config.connection().open(SinkFence.applicationName(jobId, subtask, sinkId));
            if (config.exactlyOnce()) {
                PreparedTransactions.requireEnabled(connection, config.connection().url());
            }
            try (Statement s = connection.createStatement()) {
                // a safety net: a lock wait this long means something outside this design holds
                // our rows (another job with the same tables and keys); fail and restart rather
                // than hang forever
                s.execute("SET SESSION lock_timeout = '" + config.lockTimeout().toMillis() + "ms'");
                // notice a writer whose host vanished within about a minute instead of the kernel's
                // two hours: its session holds the sink's fence and its open transaction's locks
                s.execute("SET SESSION tcp_keepalives_idle = 30");
                s.execute("SET SESSION tcp_keepalives_interval = 10");
                s.execute("SET SESSION tcp_keepalives_count = 3");
            }
            SinkFence.acquire(connection, sinkId, subtask, jobId, config.fenceGrace());
            if (config.exactlyOnce()) {
                Set<String> restoredPrepared = cleanUpLeftovers(restoredCheckpointId, restored);
                if (restoredCheckpointId.isPresent()) {
                    awaitRestoredTransactions(restoredPrepared);
                }
            }
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            closeQuietly();
            throw SinkFailures.onSqlError(where + ": starting", e);
        } catch (InterruptedException e) {
            closeQuietly();
            Thread.currentThread().interrupt();
            throw new IOException(where + ": interrupted while starting", e);
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
        int carried = 0;
        for (PostgresWriterState state : restored) {
            for (TableRow row : state.carriedRows()) {
                buffer(row);
                carried++;
            }
        }
        if (carried > 0) {
            LOG.info(
                    "Sink {} subtask {}: restored {} rows that the sink's first version carried in checkpoint state",
                    sinkId,
                    subtask,
                    carried);
        }
        LOG.info(
                "Sink {} subtask {} started ({}), restored checkpoint {}",
                sinkId,
                subtask,
                ownership,
                restoredCheckpointId);
    }

    /**
     * Rolls back the owned leftovers and deletes their staged rows; returns the gids of the sink
     * still prepared afterwards that the restored checkpoint may commit (labelled with it or an
     * earlier checkpoint), for {@link #awaitRestoredTransactions}. Later ones are other subtasks'
     * leftovers, which their owners roll back, or — when only part of a job restarts — the live
     * transactions of subtasks that keep running, whose commit needs this writer's checkpoint.
     */
    private Set<String> cleanUpLeftovers(
            OptionalLong restoredCheckpointId, Collection<PostgresWriterState> restored)
            throws SQLException {
        Set<String> pending = new HashSet<>();
        for (PostgresWriterState state : restored) {
            pending.addAll(state.pendingGids());
        }
        Set<String> stillPrepared = new HashSet<>();
        for (PreparedTransactions.Prepared prepared :
                PreparedTransactions.listOwn(connection, sinkId)) {
            TransactionId id = prepared.id();
            boolean orphan;
            if (id.hasXid()) {
                orphan = !pending.contains(id.gid());
            } else {
                // named by the sink's first version, whose state listed nothing: a transaction
                // labelled
                // up to the restored checkpoint is in that checkpoint's committer state
                orphan =
                        restoredCheckpointId.isEmpty()
                                || id.checkpointId() > restoredCheckpointId.getAsLong();
            }
            if (orphan && ownership.owns(id.subtask())) {
                if (PreparedTransactions.rollback(connection, id.gid())) {
                    transactionsRolledBack.inc();
                    LOG.info(
                            "Sink {} subtask {}: rolled back prepared transaction {} (prepared {}) that the restored"
                                    + " checkpoint ({}) does not commit",
                            sinkId,
                            subtask,
                            id.gid(),
                            prepared.preparedAt(),
                            restoredCheckpointId);
                }
            } else if (restoredCheckpointId.isPresent()
                    && id.checkpointId() <= restoredCheckpointId.getAsLong()) {
                stillPrepared.add(id.gid());
            }
        }
        Set<Long> pendingXids = new HashSet<>();
        for (String gid : pending) {
            TransactionId.parse(gid)
                    .filter(TransactionId::hasXid)
                    .ifPresent(id -> pendingXids.add(id.xid()));
        }
        for (StagedRows.Staged staged : StagedRows.list(connection, sinkId)) {
            if (!pendingXids.contains(staged.xid()) && ownership.owns(staged.subtask())) {
                int deleted = StagedRows.delete(connection, sinkId, staged.xid());
                LOG.info(
                        "Sink {} subtask {}: deleted {} staged rows of transaction {} that the restored checkpoint ({})"
                                + " does not move into their tables",
                        sinkId,
                        subtask,
                        deleted,
                        staged.xid(),
                        restoredCheckpointId);
            }
        }
        return stillPrepared;
    }

    /**
     * After a restore, waits before any row is written until the gids in {@code waitFor} are no
     * longer prepared and the sink has no staged rows left: the committers committed (and moved)
     * what the checkpoint restored, and the other writers deleted their leftovers' staged rows.
     * After a rescale a restored transaction of an old subtask may lock keys that now belong to
     * this one; its committer commits it without waiting for anything, so this wait ends. Bounded
     * by the lock timeout: a restored transaction still prepared after that means a committer
     * cannot commit it.
     */
    private void awaitRestoredTransactions(Set<String> waitFor)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + config.lockTimeout().toNanos();
        Set<String> remaining = new HashSet<>(waitFor);
        while (true) {
            for (Iterator<String> it = remaining.iterator(); it.hasNext(); ) {
                if (!PreparedTransactions.isPrepared(connection, it.next())) {
                    it.remove();
                }
            }
            // only after the gids are gone: a committer commits, then moves the staged rows
            boolean staged = StagedRows.any(connection, sinkId);
            if (remaining.isEmpty() && !staged) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new SQLException(
                        "still waiting after "
                                + config.lockTimeout().toSeconds()
                                + " s for "
                                + (remaining.isEmpty()
                                        ? ""
                                        : "restored transactions "
                                                + remaining
                                                + " to be committed or rolled back")
                                + (staged
                                        ? (remaining.isEmpty() ? "" : " and ")
                                                + "staged rows to be moved into their tables"
                                        : "")
                                + " by the job's other subtasks",
                        "55P03");
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void write(TableRow row, Context context) throws IOException, InterruptedException {
        buffer(row);
        if (bufferedRows < nextWriteAttemptAt) {
            return;
        }
        if (writeBuffered(false)) {
            nextWriteAttemptAt = batchSize;
            return;
        }
        if (bufferedRows < BUFFER_WHILE_PREPARED_BATCHES * batchSize) {
            // still waiting for the previous commit: look again one batch later
            nextWriteAttemptAt = bufferedRows + batchSize;
            return;
        }
        if (!waitedForCommitSinceBarrier) {
            // A backlog: the previous commit is late because another subtask has not reached the
            // barrier yet. Staging now would double the database's work for the whole backlog;
            // instead hold the input here (backpressure) until the commit lands, once per
            // checkpoint and for a bounded time (measured without it: checkpoints of a backlog grew
            // 0.2 s -> 1.8 s -> 7 s -> 18 s).
            waitedForCommitSinceBarrier = true;
            awaitPreviousCommit(config.backlogCommitWait());
        }
        // the buffer is full: write if the commit came, stage otherwise
        writeBuffered(true);
        nextWriteAttemptAt = batchSize;
    }

    private void buffer(TableRow row) {
        TableBuffer buffer = buffers.get(row.table());
        if (buffer == null) {
            throw new IllegalArgumentException(
                    "sink "
                            + sinkId
                            + " has no table '"
                            + row.table()
                            + "' (it writes "
                            + buffers.keySet()
                            + ")");
        }
        int before = buffer.size();
        buffer.add(row);
        bufferedRows += buffer.size() - before;
    }

    /**
     * Empties the buffer into the open transaction: into the tables when no previous transaction of
     * this writer can hold locks on them, else into the staging table if {@code mayStage}. Returns
     * false (rows still buffered) when it may neither write nor stage.
     */
    private boolean writeBuffered(boolean mayStage) throws IOException {
        if (bufferedRows == 0) {
            return true;
        }
        try {
            if (!staging && !previousStillPrepared()) {
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
            }
            if (!mayStage && !staging) {
                return false;
            }
            stageBuffered();
            return true;
        } catch (SQLException e) {
            throw SinkFailures.onSqlError(
                    "sink " + sinkId + " subtask " + subtask + ": writing rows failed", e);
        }
    }

    private void stageBuffered() throws SQLException {
        if (!staging) {
            staging = true;
            LOG.info(
                    "Sink {} subtask {}: previous transaction {} not committed yet; staging rows until the next barrier",
                    sinkId,
                    subtask,
                    previousGid);
        }
        long xid = openXid();
        List<TableRow> rows = new ArrayList<>(bufferedRows);
        for (TableBuffer buffer : buffers.values()) {
            rows.addAll(buffer.rows());
            buffer.clear();
        }
        StagedRows.stage(connection, sinkId, ownership.namingId(), xid, stagedInTransaction, rows);
        stagedInTransaction += rows.size();
        rowsStaged.inc(rows.size());
        bufferedRows = 0;
    }

    private long openXid() throws SQLException {
        if (openXid < 0) {
            openXid = PreparedTransactions.currentXid(connection);
        }
        return openXid;
    }

    /** Whether the previous transaction still holds its locks; forgets it once committed. */
    private boolean previousStillPrepared() throws SQLException {
        if (previousGid == null) {
            return false;
        }
        if (PreparedTransactions.isPrepared(connection, previousGid)) {
            return true;
        }
        // commits run in checkpoint order on this task's committer: every earlier one is done too
        previousGid = null;
        pendingGids.clear();
        oldestPendingPreparedAt = 0;
        return false;
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        // let checkpoint notifications that are already queued run first: the chained committer
        // may be about to commit our previous transaction, and then the rows need no staging.
        // Nothing waits here, also not at end of input: what cannot be written is staged.
        while (mailbox.tryYield()) {
            // keep draining
        }
    }

    /**
     * Waits at most {@code bound}, processing mails (which is where the commit happens), for the
     * previous commit.
     */
    private void awaitPreviousCommit(Duration bound) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        try {
            while (previousStillPrepared() && System.nanoTime() < deadline) {
                if (!mailbox.tryYield()) {
                    Thread.sleep(10);
                }
            }
        } catch (SQLException e) {
            throw SinkFailures.onSqlError("sink " + sinkId + " subtask " + subtask, e);
        }
    }

    @Override
    public Collection<PostgresCommittable> prepareCommit() throws IOException {
        if (!config.exactlyOnce()) {
            return commitAtBarrier();
        }
        String where = "sink " + sinkId + " subtask " + subtask;
        try {
            if (bufferedRows > 0) {
                writeBuffered(true);
            } else if (previousGid != null) {
                // keeps the pending list (writer state, oldest-prepared gauge) current on quiet
                // subtasks
                previousStillPrepared();
            }
            if (!transactionHasWrites && stagedInTransaction == 0) {
                return List.of();
            }
            long xid = openXid();
            String gid =
                    new TransactionId(sinkId, ownership.namingId(), lastCheckpointId + 1, xid)
                            .gid();
            try (Statement s = connection.createStatement()) {
                s.execute("PREPARE TRANSACTION '" + gid + "'");
            }
            PostgresCommittable prepared =
                    new PostgresCommittable(
                            gid,
                            xid,
                            System.currentTimeMillis(),
                            rowsInTransaction,
                            stagedInTransaction);
            transactionsPrepared.inc();
            LOG.debug("Sink {} subtask {}: prepared {}", sinkId, subtask, prepared);
            if (pendingGids.isEmpty()) {
                oldestPendingPreparedAt = prepared.preparedAtMillis();
            }
            pendingGids.add(gid);
            previousGid = gid;
            transactionHasWrites = false;
            rowsInTransaction = 0;
            stagedInTransaction = 0;
            staging = false;
            openXid = -1;
            waitedForCommitSinceBarrier = false;
            nextWriteAttemptAt = batchSize;
            return List.of(prepared);
        } catch (SQLException e) {
            throw SinkFailures.onSqlError(where + ": PREPARE TRANSACTION failed", e);
        }
    }

    /**
     * At least once: write what is buffered and COMMIT now. Nothing is ever left prepared, so no
     * write has to wait for a previous transaction's locks and nothing goes to the committer.
     */
    private Collection<PostgresCommittable> commitAtBarrier() throws IOException {
        writeBuffered(false);
        if (transactionHasWrites) {
            try {
                connection.commit();
            } catch (SQLException e) {
                throw SinkFailures.onSqlError(
                        "sink " + sinkId + " subtask " + subtask + ": COMMIT failed", e);
            }
            transactionsCommittedAtBarrier.inc();
            transactionHasWrites = false;
            rowsInTransaction = 0;
        }
        nextWriteAttemptAt = batchSize;
        return List.of();
    }

    @Override
    public List<PostgresWriterState> snapshotState(long checkpointId) {
        lastCheckpointId = checkpointId;
        return ownership.snapshot(pendingGids);
    }

    /**
     * How long the oldest transaction this writer prepared has waited for its commit (0 when none
     * waits): the gauge that shows a stuck commit. Read from the metrics thread.
     */
    long oldestPreparedTransactionAgeMs() {
        long preparedAt = oldestPendingPreparedAt;
        return preparedAt == 0 ? 0L : Math.max(0L, System.currentTimeMillis() - preparedAt);
    }

    /** Rows accepted and not yet written or staged (for tests of the memory bound). */
    int bufferedRows() {
        return bufferedRows;
    }

    @Override
    public void close() {
        // an open, unprepared transaction dies with the connection, and the fence with it; prepared
        // ones are the committer's (or a restarted writer's) business
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
}
