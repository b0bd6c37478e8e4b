package dev.flinkpipelines.common.postgres;

import dev.flinkpipelines.testkit.PostgresExtension;

import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.groups.InternalSinkCommitterMetricGroup;
import org.apache.flink.util.function.ThrowingRunnable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writer's protocol step by step, driven directly (no cluster) against a real PostgreSQL, for
 * the paths a cluster run only hits by timing luck: a barrier while the previous transaction is
 * still prepared (rows must be carried in state, not written under its locks), and a commit
 * notification already queued when the barrier comes (it must run first).
 */
class TransactionWriterProtocolIT {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static final TableSpec COUNTS = TableSpec.upsert("proto_counts", List.of("k"), "k", "n");

    private PostgresConnectionSettings connection;

    @BeforeEach
    void setUp() throws Exception {
        PG.rollBackPreparedTransactions();
        PG.execute("CREATE TABLE IF NOT EXISTS proto_counts (k INT PRIMARY KEY, n BIGINT NOT NULL)", "TRUNCATE proto_counts");
        connection = new PostgresConnectionSettings(PG.jdbcUrl(), PG.user(), PG.password());
    }

    @Test
    void rowsArrivingWhileThePreviousTransactionIsPreparedAreCarriedInStateNotWrittenUnderItsLocks() throws Exception {
        QueueMailbox mailbox = new QueueMailbox();
        PostgresTransactionWriter writer = writer("proto", OptionalLong.empty(), mailbox, List.of());

        writer.write(TableRow.of("proto_counts", 1, 1L), null);
        PreparedTransaction first = single(writer.prepareCommit());
        assertEquals("proto:0:1", first.gid());
        writer.snapshotState(1);

        // checkpoint 1 is not complete yet: the same key changes again. Writing it now would wait
        // on the prepared transaction's row lock (the 1 s lock timeout would fail the test).
        writer.write(TableRow.of("proto_counts", 1, 2L), null);
        writer.flush(false);
        assertEquals(List.of(), writer.prepareCommit(), "nothing may be prepared while the previous one holds locks");
        List<List<TableRow>> carried = writer.snapshotState(2);
        assertEquals(List.of(List.of(TableRow.of("proto_counts", 1, 2L))), carried, "the row is carried in checkpoint 2's state");

        try (Committer<PreparedTransaction> committer = committer("proto")) {
            commit(committer, first);
        }
        assertEquals(List.of("1|1"), PG.rows("SELECT k, n FROM proto_counts"));

        // the next barrier writes the carried row in a new transaction labelled 3 ...
        PreparedTransaction third = single(writer.prepareCommit());
        assertEquals("proto:0:3", third.gid());
        // ... and then the job dies before checkpoint 3 completes
        writer.close();
        assertEquals(List.of("proto:0:3"), PG.preparedTransactions());

        // restore from checkpoint 2: transaction 3 is an orphan, the carried row comes back from state
        PostgresTransactionWriter restored = writer("proto", OptionalLong.of(2), new QueueMailbox(), carried);
        assertEquals(List.of(), PG.preparedTransactions(), "the orphan of checkpoint 3 is rolled back at start");
        PreparedTransaction again = single(restored.prepareCommit());
        assertEquals("proto:0:3", again.gid());
        try (Committer<PreparedTransaction> committer = committer("proto")) {
            commit(committer, again);
            // a restored committable committed twice is fine
            commit(committer, again);
        }
        restored.close();
        assertEquals(List.of("1|2"), PG.rows("SELECT k, n FROM proto_counts"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void aQueuedCommitNotificationRunsBeforeTheBarrierDecides() throws Exception {
        QueueMailbox mailbox = new QueueMailbox();
        PostgresTransactionWriter writer = writer("queued", OptionalLong.empty(), mailbox, List.of());
        Committer<PreparedTransaction> committer = committer("queued");

        writer.write(TableRow.of("proto_counts", 7, 1L), null);
        PreparedTransaction first = single(writer.prepareCommit());
        writer.snapshotState(1);
        writer.write(TableRow.of("proto_counts", 7, 2L), null);

        // checkpoint 1 completed; its notification waits in the task mailbox behind the barrier
        mailbox.queue.add(() -> commit(committer, first));
        writer.flush(false);
        assertTrue(mailbox.queue.isEmpty(), "flush lets queued mails (the commit) run");
        PreparedTransaction second = single(writer.prepareCommit());
        assertEquals("queued:0:2", second.gid());
        commit(committer, second);
        writer.close();
        committer.close();
        assertEquals(List.of("7|2"), PG.rows("SELECT k, n FROM proto_counts"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void aBacklogBehindAPreparedTransactionHoldsTheInputUntilTheCommitInsteadOfBufferingOn() throws Exception {
        QueueMailbox mailbox = new QueueMailbox();
        PostgresTransactionWriter writer = writer("backlog", OptionalLong.empty(), mailbox, List.of());
        Committer<PreparedTransaction> committer = committer("backlog");

        writer.write(TableRow.of("proto_counts", 1, 1L), null);
        PreparedTransaction first = single(writer.prepareCommit());
        writer.snapshotState(1);
        // checkpoint 1 completes while the writer is busy with a backlog; its notification waits in the mailbox
        mailbox.queue.add(() -> commit(committer, first));
        for (int i = 0; i < 9; i++) {
            writer.write(TableRow.of("proto_counts", 100 + i, 1L), null);
        }
        assertEquals(1, mailbox.queue.size(), "below ten batches the writer only buffers");
        writer.write(TableRow.of("proto_counts", 1, 2L), null);
        assertTrue(mailbox.queue.isEmpty(), "at ten batches it yields until the commit has run");
        assertEquals(List.of("1|1"), PG.rows("SELECT k, n FROM proto_counts"));

        PreparedTransaction second = single(writer.prepareCommit());
        assertEquals("backlog:0:2", second.gid());
        commit(committer, second);
        writer.close();
        committer.close();
        assertEquals(10, PG.rows("SELECT k FROM proto_counts").size(), "keys 1 and 100..108");
        assertEquals(List.of("2"), PG.rows("SELECT n FROM proto_counts WHERE k = 1"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void orphansAreSplitAmongNewSubtasksAndRestoredOnesAreLeftToTheCommitter() {
        List<TransactionId> own = List.of(
                new TransactionId("s", 0, 4), new TransactionId("s", 1, 4),
                new TransactionId("s", 0, 5), new TransactionId("s", 1, 5), new TransactionId("s", 3, 6));
        // scaled 4 -> 2, restored from checkpoint 4: 5 and 6 are orphans, split by old subtask % 2
        assertEquals(List.of(new TransactionId("s", 0, 5)),
                PreparedTransactions.orphans(own, 0, 2, OptionalLong.of(4)));
        assertEquals(List.of(new TransactionId("s", 1, 5), new TransactionId("s", 3, 6)),
                PreparedTransactions.orphans(own, 1, 2, OptionalLong.of(4)));
        // a fresh start (no state) owns nothing that a committer will commit
        assertEquals(own, PreparedTransactions.orphans(own, 0, 1, OptionalLong.empty()));
    }

    // ---- helpers ------------------------------------------------------------------------------

    private PostgresTransactionWriter writer(
            String sinkId, OptionalLong restored, MailboxExecutor mailbox, Collection<List<TableRow>> state) throws Exception {
        return new PostgresTransactionWriter(connection, sinkId, List.of(COUNTS), 1, Duration.ofSeconds(1), true,
                0, 1, restored, mailbox, UnregisteredMetricsGroup.createSinkWriterMetricGroup(), state);
    }

    private Committer<PreparedTransaction> committer(String sinkId) {
        return new PreparedTransactionCommitter(connection, sinkId,
                InternalSinkCommitterMetricGroup.wrap(UnregisteredMetricsGroup.createOperatorMetricGroup()));
    }

    private static void commit(Committer<PreparedTransaction> committer, PreparedTransaction t) throws Exception {
        List<String> outcome = new ArrayList<>();
        committer.commit(List.of(new Committer.CommitRequest<>() {
            public PreparedTransaction getCommittable() { return t; }
            public int getNumberOfRetries() { return 0; }
            public void signalFailedWithKnownReason(Throwable e) { outcome.add("failed " + e); }
            public void signalFailedWithUnknownReason(Throwable e) { outcome.add("failed " + e); }
            public void retryLater() { outcome.add("retry"); }
            public void updateAndRetryLater(PreparedTransaction c) { outcome.add("retry"); }
            public void signalAlreadyCommitted() { outcome.add("already committed"); }
        }));
        assertTrue(outcome.isEmpty() || outcome.equals(List.of("already committed")), "commit outcome " + outcome);
    }

    private static PreparedTransaction single(Collection<PreparedTransaction> committables) {
        assertEquals(1, committables.size(), "one prepared transaction expected: " + committables);
        return committables.iterator().next();
    }

    /** A stand-in for the task mailbox: mails queued by the test run when the writer yields. */
    static final class QueueMailbox implements MailboxExecutor {
        final Deque<ThrowingRunnable<? extends Exception>> queue = new ArrayDeque<>();

        @Override
        public void execute(MailboxExecutor.MailOptions options, ThrowingRunnable<? extends Exception> command, String format, Object... args) {
            queue.add(command);
        }

        @Override
        public void yield() {
            tryYield();
        }

        @Override
        public boolean tryYield() {
            ThrowingRunnable<? extends Exception> mail = queue.poll();
            if (mail == null) {
                return false;
            }
            try {
                mail.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return true;
        }

        @Override
        public boolean shouldInterrupt() {
            return false;
        }
    }
}
