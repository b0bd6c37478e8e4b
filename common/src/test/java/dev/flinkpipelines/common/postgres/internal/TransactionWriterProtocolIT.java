package dev.flinkpipelines.common.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.postgres.PostgresConnectionSettings;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableSpec;
import dev.flinkpipelines.testkit.PostgresExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.metrics.groups.InternalSinkCommitterMetricGroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The writer's and committer's protocol step by step, driven directly (no cluster) against a real
 * PostgreSQL, for the paths a cluster run only hits by timing luck or by operator actions: a
 * barrier or end of input while the previous transaction is still prepared, aborted checkpoints,
 * restores of old savepoints, a second writer, a transaction rolled back behind the job's back,
 * lost connections.
 */
class TransactionWriterProtocolIT {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final TableSpec COUNTS =
            TableSpec.upsert("proto_counts", List.of("k"), "k", "n");

    private PostgresConnectionSettings connection;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
        PG.rollBackPreparedTransactions();
        PG.execute(
                "CREATE TABLE IF NOT EXISTS proto_counts (k INT PRIMARY KEY, n BIGINT NOT NULL)",
                "TRUNCATE proto_counts",
                "TRUNCATE flink_sink_staged_rows");
        connection = new PostgresConnectionSettings(PG.jdbcUrl(), PG.user(), PG.password());
    }

    @Test
    void rowsArrivingWhileThePreviousTransactionIsPreparedAreStagedNotWrittenUnderItsLocks()
            throws Exception {
        PostgresSinkWriter writer = writer("proto", "job-a", 0, 1, OptionalLong.empty(), List.of());

        writer.write(row(1, 1), null);
        PostgresCommittable first = single(writer.prepareCommit());
        assertEquals(1, first.rows());
        writer.snapshotState(1);

        // checkpoint 1 is not complete yet: the same key changes again. Writing it now would wait
        // on the prepared transaction's row lock (the 1 s lock timeout would fail the test).
        writer.write(row(1, 2), null);
        writer.flush(false);
        PostgresCommittable second = single(writer.prepareCommit());
        assertEquals(0, second.rows());
        assertEquals(1, second.stagedRows(), "the row is staged in the second transaction");
        List<PostgresWriterState> state = writer.snapshotState(2);
        assertEquals(
                List.of(PostgresWriterState.of(0, 1, List.of(first.gid(), second.gid()))),
                state,
                "the writer state holds no rows, only the transactions not seen committed");

        try (Committer<PostgresCommittable> committer = committer("proto")) {
            assertEquals("committed", commit(committer, first));
            assertEquals(List.of("1|1"), PG.rows("SELECT k, n FROM proto_counts"));
            assertEquals("committed", commit(committer, second));
        }
        assertEquals(
                List.of("1|2"),
                PG.rows("SELECT k, n FROM proto_counts"),
                "staged rows moved, in order");
        assertEquals(0, PG.count("flink_sink_staged_rows"));

        // both committed: the next row goes straight into its table
        writer.write(row(1, 3), null);
        PostgresCommittable third = single(writer.prepareCommit());
        assertEquals(1, third.rows());
        assertEquals(0, third.stagedRows());
        try (Committer<PostgresCommittable> committer = committer("proto")) {
            commit(committer, third);
        }
        assertEquals(List.of("1|3"), PG.rows("SELECT k, n FROM proto_counts"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void endOfInputWithAStillPreparedTransactionReturnsAtOnceAndLeavesNothingInWriterState()
            throws Exception {
        PostgresSinkWriter writer = writer("eoi", "job-a", 0, 1, OptionalLong.empty(), List.of());
        writer.write(row(1, 1), null);
        writer.write(row(2, 1), null);
        PostgresCommittable first = single(writer.prepareCommit());
        writer.snapshotState(1);

        // the sources end while checkpoint 1's commit is still outstanding (declined, or late)
        writer.write(row(1, 2), null);
        writer.write(row(3, 1), null);
        long start = System.nanoTime();
        writer.flush(true);
        PostgresCommittable last = single(writer.prepareCommit());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(
                millis < 1_000,
                "end of input must not wait for the previous commit, took " + millis + " ms");
        assertEquals(2, last.stagedRows());
        List<PostgresWriterState> finalState = writer.snapshotState(2);
        assertTrue(
                finalState.stream().allMatch(s -> s.carriedRows().isEmpty()),
                "nothing may stay in writer state");

        // the final checkpoint completes: its committer commits both, in order
        try (Committer<PostgresCommittable> committer = committer("eoi")) {
            commit(committer, first);
            commit(committer, last);
        }
        writer.close();
        assertEquals(
                List.of("1|2", "2|1", "3|1"), PG.rows("SELECT k, n FROM proto_counts ORDER BY k"));
        assertEquals(List.of(), PG.preparedTransactions());
        assertEquals(0, PG.count("flink_sink_staged_rows"));
    }

    @Test
    void aQueuedCommitNotificationRunsBeforeTheBarrierDecides() throws Exception {
        QueueMailbox mailbox = new QueueMailbox();
        PostgresSinkWriter writer =
                writer(config("queued"), "job-a", 0, 1, OptionalLong.empty(), mailbox, List.of());
        Committer<PostgresCommittable> committer = committer("queued");

        writer.write(row(7, 1), null);
        PostgresCommittable first = single(writer.prepareCommit());
        writer.snapshotState(1);
        writer.write(row(7, 2), null);

        // checkpoint 1 completed; its notification waits in the task mailbox behind the barrier
        mailbox.queue.add(() -> commit(committer, first));
        writer.flush(false);
        assertTrue(mailbox.queue.isEmpty(), "flush lets queued mails (the commit) run");
        PostgresCommittable second = single(writer.prepareCommit());
        assertEquals(0, second.stagedRows(), "the commit ran first, so nothing had to be staged");
        commit(committer, second);
        writer.close();
        committer.close();
        assertEquals(List.of("7|2"), PG.rows("SELECT k, n FROM proto_counts"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void aBacklogBehindAPreparedTransactionHoldsTheInputUntilTheCommitInsteadOfStaging()
            throws Exception {
        QueueMailbox mailbox = new QueueMailbox();
        PostgresSinkWriter writer =
                writer(config("backlog"), "job-a", 0, 1, OptionalLong.empty(), mailbox, List.of());
        Committer<PostgresCommittable> committer = committer("backlog");

        writer.write(row(1, 1), null);
        PostgresCommittable first = single(writer.prepareCommit());
        writer.snapshotState(1);
        // checkpoint 1 completes while the writer is busy with a backlog; its notification waits in
        // the mailbox
        mailbox.queue.add(() -> commit(committer, first));
        for (int i = 0; i < 9; i++) {
            writer.write(row(100 + i, 1), null);
        }
        assertEquals(1, mailbox.queue.size(), "below ten batches the writer only buffers");
        writer.write(row(1, 2), null);
        assertTrue(mailbox.queue.isEmpty(), "at ten batches it yields until the commit has run");
        assertEquals(0, writer.bufferedRows(), "and then writes");

        PostgresCommittable second = single(writer.prepareCommit());
        assertEquals(0, second.stagedRows());
        commit(committer, second);
        writer.close();
        committer.close();
        assertEquals(10, PG.rows("SELECT k FROM proto_counts").size(), "keys 1 and 100..108");
        assertEquals(List.of("2"), PG.rows("SELECT n FROM proto_counts WHERE k = 1"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void memoryStaysBoundedWhenTheCommitNeverComesAndEveryRowStillArrives() throws Exception {
        int batch = 10;
        SinkConfig config =
                new SinkConfig(
                        "bounded",
                        connection,
                        List.of(COUNTS),
                        batch,
                        Duration.ofSeconds(1),
                        true,
                        Duration.ofMillis(500),
                        Duration.ofSeconds(5),
                        Duration.ofMillis(50));
        PostgresSinkWriter writer =
                writer(config, "job-a", 0, 1, OptionalLong.empty(), new QueueMailbox(), List.of());
        writer.write(row(0, -1), null);
        PostgresCommittable first = single(writer.prepareCommit());
        writer.snapshotState(1);

        // checkpoint 1 was aborted: its commit comes only with a later checkpoint, long after this
        int maxBuffered = 0;
        for (int i = 0; i < 5_000; i++) {
            writer.write(row(i, i), null);
            maxBuffered = Math.max(maxBuffered, writer.bufferedRows());
        }
        assertTrue(
                maxBuffered <= PostgresSinkWriter.BUFFER_WHILE_PREPARED_BATCHES * batch,
                "at most "
                        + PostgresSinkWriter.BUFFER_WHILE_PREPARED_BATCHES * batch
                        + " rows in memory, saw "
                        + maxBuffered);
        PostgresCommittable second = single(writer.prepareCommit());
        assertEquals(5_000, second.stagedRows());
        try (Committer<PostgresCommittable> committer = committer("bounded")) {
            commit(committer, first);
            commit(committer, second);
        }
        writer.close();
        assertEquals(
                List.of("5000|0|4999|12497500"),
                PG.rows("SELECT count(*), min(k), max(k), sum(n) FROM proto_counts"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void aCommitThatLosesItsConnectionIsRetriedWithBackOffOrHandedBackToFlink() throws Exception {
        PostgresSinkWriter writer = writer("retry", "job-a", 0, 1, OptionalLong.empty(), List.of());
        writer.write(row(1, 1), null);
        PostgresCommittable first = single(writer.prepareCommit());
        writer.snapshotState(1);

        // no retry budget: the commit goes back to Flink (retryLater), and a later attempt commits
        SinkConfig handBack =
                new SinkConfig(
                        "retry",
                        connection,
                        List.of(COUNTS),
                        1,
                        Duration.ofSeconds(1),
                        true,
                        Duration.ofMillis(500),
                        Duration.ZERO,
                        Duration.ofMillis(50));
        try (Committer<PostgresCommittable> committer =
                new PostgresCommitter(handBack, committerMetrics())) {
            connect(committer);
            terminateSessions("flink-committer retry");
            assertEquals("retry", commit(committer, first));
            assertEquals(
                    List.of(first.gid()),
                    PG.preparedTransactions(),
                    "still prepared, nothing lost");
            assertEquals("committed", commit(committer, first));
        }

        // a retry budget: the same loss is ridden out inside one commit call
        writer.write(row(1, 2), null);
        PostgresCommittable second = single(writer.prepareCommit());
        try (Committer<PostgresCommittable> committer = committer("retry")) {
            connect(committer);
            terminateSessions("flink-committer retry");
            assertEquals("committed", commit(committer, second));
        }
        writer.close();
        assertEquals(List.of("1|2"), PG.rows("SELECT k, n FROM proto_counts"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void aTransactionRolledBackBehindTheJobsBackStopsTheJobNamingItInsteadOfCountingAsCommitted()
            throws Exception {
        PostgresSinkWriter writer = writer("lost", "job-a", 0, 1, OptionalLong.empty(), List.of());
        writer.write(row(1, 1), null);
        PostgresCommittable prepared = single(writer.prepareCommit());
        PG.execute("ROLLBACK PREPARED '" + prepared.gid() + "'");
        try (Committer<PostgresCommittable> committer = committer("lost")) {
            SuppressRestartsException e =
                    assertThrows(
                            SuppressRestartsException.class, () -> commit(committer, prepared));
            String message = e.getCause().getMessage();
            assertTrue(message.contains(prepared.gid()) && message.contains("LOST"), message);
        }
        writer.close();
    }

    @Test
    void aTransactionCommittedBeforeIsProvenCommittedByItsXid() throws Exception {
        PostgresSinkWriter writer = writer("twice", "job-a", 0, 1, OptionalLong.empty(), List.of());
        writer.write(row(1, 1), null);
        PostgresCommittable prepared = single(writer.prepareCommit());
        try (Committer<PostgresCommittable> committer = committer("twice")) {
            assertEquals("committed", commit(committer, prepared));
            assertEquals("already committed", commit(committer, prepared));
        }
        writer.close();
    }

    @Test
    void aSecondLiveWriterOfTheSameSinkIdIsRefusedAndTouchesNothing() throws Exception {
        PostgresSinkWriter live =
                writer("fenced", "job-live", 0, 1, OptionalLong.empty(), List.of());
        live.write(row(1, 1), null);
        PostgresCommittable prepared = single(live.prepareCommit());
        live.snapshotState(1);

        // the same jar submitted again (or run --bounded for a backfill), at the same or another
        // parallelism
        for (int[] subtaskOf : new int[][] {{0, 1}, {1, 2}}) {
            SuppressRestartsException e =
                    assertThrows(
                            SuppressRestartsException.class,
                            () ->
                                    writer(
                                            "fenced",
                                            "job-second",
                                            subtaskOf[0],
                                            subtaskOf[1],
                                            OptionalLong.empty(),
                                            List.of()));
            String message = e.getCause().getMessage();
            assertTrue(
                    message.contains("'fenced' is in use")
                            && message.contains("job-live")
                            && message.contains("--sink-id"),
                    message);
        }
        assertEquals(
                List.of(prepared.gid()),
                PG.preparedTransactions(),
                "the live job's transaction is untouched");
        try (Committer<PostgresCommittable> committer = committer("fenced")) {
            assertEquals("committed", commit(committer, prepared));
        }
        assertEquals(List.of("1|1"), PG.rows("SELECT k, n FROM proto_counts"));
    }

    @Test
    void aLingeringSessionOfAnEarlierAttemptOfTheSameJobIsTakenOver() throws Exception {
        writer("attempts", "job-same", 0, 1, OptionalLong.empty(), List.of());
        // the first attempt's TaskManager is cut off; its session still holds the fence
        PostgresSinkWriter second =
                writer("attempts", "job-same", 0, 1, OptionalLong.empty(), List.of());
        second.write(row(5, 5), null);
        try (Committer<PostgresCommittable> committer = committer("attempts")) {
            commit(committer, single(second.prepareCommit()));
        }
        assertEquals(List.of("5|5"), PG.rows("SELECT k, n FROM proto_counts"));
    }

    @Test
    void anOldSavepointRestoredAfterAFreshRunRollsBackThatRunsLeftoversAndCommitsNothingOfIt()
            throws Exception {
        // run 1 checkpoints once and is stopped with everything committed
        PostgresSinkWriter run1 = writer("lineage", "job-1", 0, 1, OptionalLong.empty(), List.of());
        run1.write(row(1, 1), null);
        PostgresCommittable run1First = single(run1.prepareCommit());
        List<PostgresWriterState> savepoint = run1.snapshotState(1);
        try (Committer<PostgresCommittable> committer = committer("lineage")) {
            commit(committer, run1First);
        }
        run1.close();

        // run 2 starts fresh (checkpoint ids start at 1 again) and dies with a prepared transaction
        PostgresSinkWriter run2 = writer("lineage", "job-2", 0, 1, OptionalLong.empty(), List.of());
        run2.write(row(1, 99), null);
        PostgresCommittable run2First = single(run2.prepareCommit());
        run2.snapshotState(1);
        run2.close();
        assertEquals(
                TransactionId.parse(run1First.gid()).orElseThrow().checkpointId(),
                TransactionId.parse(run2First.gid()).orElseThrow().checkpointId(),
                "both runs labelled checkpoint 1");

        // run 1's savepoint is deployed: its committer re-commits what it restored ...
        try (Committer<PostgresCommittable> committer = committer("lineage")) {
            assertEquals(
                    "already committed", commit(committer, run1First), "never run 2's transaction");
        }
        // ... and its writer rolls back run 2's leftover, which no checkpoint of this lineage
        // commits
        PostgresSinkWriter restored =
                writer("lineage", "job-3", 0, 1, OptionalLong.of(1), savepoint);
        assertEquals(List.of(), PG.preparedTransactions());
        restored.write(row(2, 2), null);
        try (Committer<PostgresCommittable> committer = committer("lineage")) {
            commit(committer, single(restored.prepareCommit()));
        }
        assertEquals(List.of("1|1", "2|2"), PG.rows("SELECT k, n FROM proto_counts ORDER BY k"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void aSavepointWhoseTransactionAFailoverRolledBackStopsTheJobWhenDeployedInsteadOfLosingRows()
            throws Exception {
        PostgresSinkWriter writer = writer("sp", "job-a", 0, 1, OptionalLong.empty(), List.of());
        writer.write(row(1, 1), null);
        PostgresCommittable first = single(writer.prepareCommit());
        List<PostgresWriterState> checkpoint1 = writer.snapshotState(1);
        try (Committer<PostgresCommittable> committer = committer("sp")) {
            commit(committer, first);
        }
        // an intermediate savepoint (2): prepared, and not committed before ...
        writer.write(row(1, 2), null);
        PostgresCommittable savepointTransaction = single(writer.prepareCommit());
        writer.snapshotState(2);
        writer.close();
        // ... a failover restores checkpoint 1, which rolls the savepoint's transaction back
        writer("sp", "job-a", 0, 1, OptionalLong.of(1), checkpoint1).close();
        assertEquals(List.of(), PG.preparedTransactions());
        // deploying the savepoint later: its rows are gone, and the job says so
        try (Committer<PostgresCommittable> committer = committer("sp")) {
            SuppressRestartsException e =
                    assertThrows(
                            SuppressRestartsException.class,
                            () -> commit(committer, savepointTransaction));
            assertTrue(
                    e.getCause().getMessage().contains(savepointTransaction.gid()),
                    e.getCause().getMessage());
        }
    }

    @Test
    void
            aRestoredWriterWritesNothingUntilRestoredTransactionsAndStagedRowsOfOtherSubtasksAreCommitted()
                    throws Exception {
        // an old subtask prepared a transaction and staged the next one's rows, then the job died
        PostgresSinkWriter old = writer("gate", "job-old", 1, 2, OptionalLong.empty(), List.of());
        old.write(row(1, 1), null);
        PostgresCommittable first = single(old.prepareCommit());
        old.snapshotState(1);
        old.write(row(1, 2), null);
        PostgresCommittable staged = single(old.prepareCommit());
        assertEquals(1, staged.stagedRows());
        List<PostgresWriterState> checkpoint2 = old.snapshotState(2);
        old.close();

        // restored at parallelism 2: old subtask 1's state goes to subtask 1, but key 1 now belongs
        // to
        // subtask 0, which must not write it before subtask 1's committer has committed and moved
        CompletableFuture<PostgresSinkWriter> starting =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return writer(
                                        "gate", "job-new", 0, 2, OptionalLong.of(2), List.of());
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        Thread.sleep(500);
        assertFalse(
                starting.isDone(),
                "the writer waits while restored transactions are still prepared");
        // subtask 1's committer commits what it restored (in its task, before that task's writer
        // starts)
        try (Committer<PostgresCommittable> committer = committer("gate")) {
            commit(committer, first);
            Thread.sleep(200);
            assertFalse(starting.isDone(), "and while staged rows wait to be moved");
            commit(committer, staged);
        }
        PostgresSinkWriter restoredOwner =
                writer("gate", "job-new", 1, 2, OptionalLong.of(2), checkpoint2);
        PostgresSinkWriter writer = starting.get(10, TimeUnit.SECONDS);
        writer.write(row(1, 3), null);
        try (Committer<PostgresCommittable> committer = committer("gate")) {
            commit(committer, single(writer.prepareCommit()));
        }
        restoredOwner.close();
        assertEquals(List.of("1|3"), PG.rows("SELECT k, n FROM proto_counts"));
        assertEquals(List.of(), PG.preparedTransactions());
        assertEquals(0, PG.count("flink_sink_staged_rows"));
    }

    @Test
    void aSubtaskRestartedAloneNeitherWaitsForNorTouchesTheLiveTransactionOfOneThatKeptRunning()
            throws Exception {
        // two writer subtasks in separate failover regions; checkpoint 2 completed and was
        // committed
        PostgresSinkWriter zero = writer("region", "job-r", 0, 2, OptionalLong.empty(), List.of());
        PostgresSinkWriter one = writer("region", "job-r", 1, 2, OptionalLong.empty(), List.of());
        zero.snapshotState(1);
        one.snapshotState(1);
        List<PostgresWriterState> zeroAt2 = zero.snapshotState(2);
        one.snapshotState(2);
        // subtask 1 keeps running and prepares for checkpoint 3; subtask 0's region fails and
        // restores 2
        one.write(row(1, 1), null);
        PostgresCommittable live = single(one.prepareCommit());
        zero.close();
        long start = System.nanoTime();
        PostgresSinkWriter restarted = writer("region", "job-r", 0, 2, OptionalLong.of(2), zeroAt2);
        assertTrue(
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 900,
                "no wait for checkpoint 3's commit");
        assertEquals(
                List.of(live.gid()),
                PG.preparedTransactions(),
                "the live transaction is not a leftover of subtask 0");
        restarted.write(row(2, 2), null);
        try (Committer<PostgresCommittable> committer = committer("region")) {
            commit(committer, live);
            commit(committer, single(restarted.prepareCommit()));
        }
        assertEquals(List.of("1|1", "2|2"), PG.rows("SELECT k, n FROM proto_counts ORDER BY k"));
    }

    @Test
    void aPermanentErrorStopsTheJobInsteadOfRetrying() throws Exception {
        PostgresSinkWriter writer = writer("perm", "job-a", 0, 1, OptionalLong.empty(), List.of());
        writer.write(row(1, 1), null);
        PostgresCommittable prepared = single(writer.prepareCommit());
        PG.execute(
                "DROP ROLE IF EXISTS proto_weak", "CREATE ROLE proto_weak LOGIN PASSWORD 'weak'");
        // only the role that prepared a transaction (or a superuser) may commit it: SQLSTATE 42501
        SinkConfig weak =
                new SinkConfig(
                        "perm",
                        new PostgresConnectionSettings(PG.jdbcUrl(), "proto_weak", "weak"),
                        List.of(COUNTS),
                        1,
                        Duration.ofSeconds(1),
                        true,
                        Duration.ofMillis(500),
                        Duration.ofSeconds(30),
                        Duration.ofMillis(50));
        long start = System.nanoTime();
        try (Committer<PostgresCommittable> committer =
                new PostgresCommitter(weak, committerMetrics())) {
            SuppressRestartsException e =
                    assertThrows(
                            SuppressRestartsException.class, () -> commit(committer, prepared));
            String message = e.getCause().getMessage();
            assertTrue(
                    message.contains("42501") && message.contains("Retrying cannot fix this"),
                    message);
        }
        assertTrue(
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 10,
                "no retries for a permanent error");
        assertEquals(
                List.of(prepared.gid()), PG.preparedTransactions(), "left prepared for a resume");
        try (Committer<PostgresCommittable> committer = committer("perm")) {
            commit(committer, prepared);
        }
    }

    @Test
    void theOldestPreparedTransactionGaugeShowsACommitThatDoesNotCome() throws Exception {
        PostgresSinkWriter writer = writer("gauge", "job-a", 0, 1, OptionalLong.empty(), List.of());
        assertEquals(0L, writer.oldestPreparedTransactionAgeMs());
        writer.write(row(1, 1), null);
        PostgresCommittable prepared = single(writer.prepareCommit());
        Thread.sleep(300);
        assertTrue(
                writer.oldestPreparedTransactionAgeMs() >= 300,
                "age " + writer.oldestPreparedTransactionAgeMs());
        try (Committer<PostgresCommittable> committer = committer("gauge")) {
            commit(committer, prepared);
        }
        assertEquals(List.of(), writer.prepareCommit(), "nothing new to prepare");
        assertEquals(
                0L,
                writer.oldestPreparedTransactionAgeMs(),
                "the commit was seen at the next barrier");
    }

    // ---- helpers ------------------------------------------------------------------------------

    private SinkConfig config(String sinkId) {
        return new SinkConfig(
                sinkId,
                connection,
                List.of(COUNTS),
                1,
                Duration.ofSeconds(1),
                true,
                Duration.ofMillis(500),
                Duration.ofSeconds(5),
                Duration.ofSeconds(5));
    }

    private PostgresSinkWriter writer(
            String sinkId,
            String jobId,
            int subtask,
            int parallelism,
            OptionalLong restored,
            Collection<PostgresWriterState> state)
            throws Exception {
        return writer(
                config(sinkId), jobId, subtask, parallelism, restored, new QueueMailbox(), state);
    }

    private PostgresSinkWriter writer(
            SinkConfig config,
            String jobId,
            int subtask,
            int parallelism,
            OptionalLong restored,
            MailboxExecutor mailbox,
            Collection<PostgresWriterState> state)
            throws Exception {
        PostgresSinkWriter writer =
                new PostgresSinkWriter(
                        config,
                        jobId,
                        subtask,
                        parallelism,
                        restored,
                        mailbox,
                        UnregisteredMetricsGroup.createSinkWriterMetricGroup(),
                        state);
        open.add(writer::close);
        return writer;
    }

    private Committer<PostgresCommittable> committer(String sinkId) {
        return new PostgresCommitter(config(sinkId), committerMetrics());
    }

    private static InternalSinkCommitterMetricGroup committerMetrics() {
        return InternalSinkCommitterMetricGroup.wrap(
                UnregisteredMetricsGroup.createOperatorMetricGroup());
    }

    private static TableRow row(int k, long n) {
        return TableRow.of("proto_counts", k, n);
    }

    /**
     * Opens the committer's connection by committing nothing real: a transaction committed before.
     */
    private void connect(Committer<PostgresCommittable> committer) throws Exception {
        PostgresSinkWriter w =
                writer("retry-connect", "job-c", 0, 1, OptionalLong.empty(), List.of());
        w.write(TableRow.of("proto_counts", 1000, 0L), null);
        PostgresCommittable t = single(w.prepareCommit());
        PG.execute("COMMIT PREPARED '" + t.gid() + "'");
        assertEquals("already committed", commit(committer, t));
        PG.execute("DELETE FROM proto_counts WHERE k = 1000");
    }

    private static void terminateSessions(String applicationName) throws Exception {
        List<String> terminated =
                PG.rows(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
                                + applicationName
                                + "'");
        assertEquals(List.of("t"), terminated, "one session named " + applicationName);
    }

    /** Commits through the committer as Flink would; returns what the committer signalled. */
    private static String commit(Committer<PostgresCommittable> committer, PostgresCommittable t)
            throws Exception {
        List<String> outcome = new ArrayList<>();
        committer.commit(
                List.of(
                        new Committer.CommitRequest<>() {
                            public PostgresCommittable getCommittable() {
                                return t;
                            }

                            public int getNumberOfRetries() {
                                return 0;
                            }

                            public void signalFailedWithKnownReason(Throwable e) {
                                outcome.add("failed " + e);
                            }

                            public void signalFailedWithUnknownReason(Throwable e) {
                                outcome.add("failed " + e);
                            }

                            public void retryLater() {
                                outcome.add("retry");
                            }

                            public void updateAndRetryLater(PostgresCommittable c) {
                                outcome.add("retry");
                            }

                            public void signalAlreadyCommitted() {
                                outcome.add("already committed");
                            }
                        }));
        assertTrue(outcome.size() <= 1, "one outcome: " + outcome);
        return outcome.isEmpty() ? "committed" : outcome.get(0);
    }

    private static PostgresCommittable single(Collection<PostgresCommittable> committables) {
        assertEquals(1, committables.size(), "one prepared transaction expected: " + committables);
        return committables.iterator().next();
    }
}
