package dev.flinkpipelines.common.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.postgres.internal.PreparedTransactions;
import dev.flinkpipelines.common.postgres.internal.TransactionId;
import dev.flinkpipelines.testkit.FlinkTestCluster;
import dev.flinkpipelines.testkit.PostgresExtension;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The exactly-once PostgreSQL sink against a real PostgreSQL on a real Flink MiniCluster: every
 * scenario ends with every row exactly once and no prepared transaction left behind.
 */
class PostgresSinkIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.create(4, retainTenCheckpoints());

    private static Configuration retainTenCheckpoints() {
        Configuration config = new Configuration();
        config.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 10);
        return config;
    }

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @TempDir Path checkpoints;

    private PostgresConnectionSettings connection;

    @BeforeEach
    void createTables() throws SQLException {
        PG.rollBackPreparedTransactions();
        PG.execute(SinkTestJob.CREATE_TABLES.split(";"));
        connection = new PostgresConnectionSettings(PG.jdbcUrl(), PG.user(), PG.password());
    }

    private SinkTestJob job(String runId) {
        SinkTestJob job = new SinkTestJob(connection);
        job.runId = runId;
        return job;
    }

    @Test
    void boundedStreamingRunCommitsEverythingAtEndOfInputWithTwoSinksInOneJob() throws Exception {
        SinkTestJob job = job("eoi");
        job.secondSink = true;
        job.run();
        assertExactlyOnce(job.count, true);
    }

    @Test
    void batchExecutionCommitsEverything() throws Exception {
        SinkTestJob job = job("batch");
        job.batch = true;
        job.secondSink = true;
        job.ratePerSecond = 1_000_000;
        job.run();
        assertExactlyOnce(job.count, true);
    }

    @Test
    void failureMidStreamRestartsFromCheckpointWithoutLossOrDuplicates() throws Exception {
        SinkTestJob job = job("midstream");
        job.secondSink = true;
        // slow enough that two checkpoints complete before the input ends, even on a busy machine
        job.ratePerSecond = 400;
        job.failAfterElements = 300;
        job.run();
        assertTrue(
                SinkTestJob.MAP_FAILED.get("midstream").get(),
                "the injected failure must have happened");
        assertExactlyOnce(job.count, true);
    }

    @Test
    void crashBetweenPrepareAndCommitIsCommittedByTheRestoredCommitter() throws Exception {
        SinkTestJob job = job("crash-commit");
        job.crashCommitsFrom = 4;
        job.run();
        List<String> preparedAtCrash = SinkTestJob.PREPARED_AT_CRASH.get("crash-commit");
        assertFalse(
                preparedAtCrash.isEmpty(),
                "the crash must hit a transaction that was prepared and not committed");
        assertExactlyOnce(job.count, false);
    }

    @Test
    void restoreFromLatestCheckpointAfterTheJobDiedWithPreparedTransactions() throws Exception {
        crashForGood("latest", 2);
        List<Path> retained = retainedCheckpoints();
        restoreAndFinish("latest", 2, retained.get(retained.size() - 1));
    }

    @Test
    void restoreFromAnOlderCheckpointRollsBackTransactionsOfLaterCheckpoints() throws Exception {
        crashForGood("older", 2);
        List<Path> retained = retainedCheckpoints();
        assertTrue(retained.size() >= 2, "need an older retained checkpoint, have " + retained);
        Path older = retained.get(retained.size() - 2);
        long olderId = checkpointId(older);
        List<Long> laterLabels =
                PG.preparedTransactions().stream()
                        .map(gid -> TransactionId.parse(gid).orElseThrow().checkpointId())
                        .filter(label -> label > olderId)
                        .collect(Collectors.toList());
        assertFalse(
                laterLabels.isEmpty(),
                "some prepared transaction must belong to a checkpoint after " + olderId);
        restoreAndFinish("older", 2, older);
    }

    @ParameterizedTest(name = "rescale {0} -> {1}")
    @CsvSource({"2, 1", "1, 2"})
    void rescaleRestoreCommitsOrRollsBackEveryOldSubtasksTransaction(int from, int to)
            throws Exception {
        String runId = "rescale-" + from + "-" + to;
        crashForGood(runId, from);
        // restore from the checkpoint before the latest: the latest one's transactions of every
        // old subtask are then orphans, to be rolled back by exactly one new subtask each
        List<Path> retained = retainedCheckpoints();
        assertTrue(retained.size() >= 2, "need an older retained checkpoint, have " + retained);
        Path older = retained.get(retained.size() - 2);
        long olderId = checkpointId(older);
        List<Integer> orphanSubtasks =
                PG.preparedTransactions().stream()
                        .map(gid -> TransactionId.parse(gid).orElseThrow())
                        .filter(id -> id.checkpointId() > olderId)
                        .map(TransactionId::subtask)
                        .distinct()
                        .sorted()
                        .collect(Collectors.toList());
        List<Integer> everyOldSubtask = new ArrayList<>();
        for (int i = 0; i < from; i++) {
            everyOldSubtask.add(i);
        }
        assertEquals(
                everyOldSubtask, orphanSubtasks, "every old subtask must leave an orphan behind");
        restoreAndFinish(runId, to, older);
    }

    @Test
    void endOfInputAfterAbortedCheckpointsFinishesPromptlyWithEveryRowAndNothingLeftBehind()
            throws Exception {
        // after two checkpoints every checkpoint times out until the input has ended: the writers
        // reach
        // end of input with their previous transaction in an aborted checkpoint, which only a later
        // checkpoint - the final one, after end of input - can commit
        SinkTestJob job = job("eoi-aborted");
        job.abortUntilInputEnds = true;
        assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                job::run,
                "end of input must not wait for a commit that needs a later checkpoint");
        assertExactlyOnce(job.count, false);
        assertEquals(0, PG.count("flink_sink_staged_rows"), "every staged row moved");
    }

    @Test
    void aSecondJobWithTheSameSinkIdIsRefusedWhileTheFirstStreamsAndChangesNothing()
            throws Exception {
        SinkTestJob first = job("fence");
        first.count = 3000;
        first.ratePerSecond = 600;
        JobClient running = first.start();
        waitUntil(() -> PG.count("sink_events") > 0, "the first job commits rows");

        // the same job submitted again while it streams (or the same jar run as a backfill)
        SinkTestJob second = job("fence");
        second.count = 200;
        second.ratePerSecond = 100_000;
        second.restart = false;
        second.fenceGrace = Duration.ofMillis(500);
        Exception refused = assertThrows(Exception.class, second::run);
        assertTrue(causes(refused).contains("sink id 'fence-main' is in use"), causes(refused));

        running.getJobExecutionResult().get();
        assertExactlyOnce(first.count, false);
    }

    @ParameterizedTest(name = "rescale {0} -> {1}")
    @CsvSource({"2, 1", "1, 2"})
    void rescaleRestoreWithStagedRowsPendingWritesEveryRowOnce(int from, int to) throws Exception {
        String runId = "staged-rescale-" + from + "-" + to;
        // odd checkpoints time out, so at each even barrier the previous transaction is still
        // prepared and the rows are staged; commits from checkpoint 6 on crash, and the job dies
        // with a
        // staged transaction pending in its latest checkpoint
        SinkTestJob dying = job(runId);
        dying.parallelism = from;
        dying.checkpointDir = checkpoints;
        dying.restart = false;
        dying.abortFrom = 3;
        dying.abortEveryOther = true;
        dying.crashCommitsFrom = 6;
        dying.crashForever = true;
        assertThrows(Exception.class, dying::run);
        assertFalse(
                SinkTestJob.STAGED_AT_CRASH.get(runId).isEmpty(),
                "a staged transaction must be pending at the crash");

        List<Path> retained = retainedCheckpoints();
        SinkTestJob restored = job(runId);
        restored.parallelism = to;
        restored.restoreFrom = retained.get(retained.size() - 1).toUri().toString();
        assertTimeoutPreemptively(
                Duration.ofSeconds(90),
                restored::run,
                "no lock waits between subtasks after the rescale");
        assertExactlyOnce(restored.count, false);
        assertEquals(0, PG.count("flink_sink_staged_rows"));
    }

    @Test
    void aSavepointThenAFailoverThenTheRestStillWritesEveryRowOnce() throws Exception {
        SinkTestJob job = job("savepoint-failover");
        job.count = 3000;
        job.ratePerSecond = 600;
        job.failAfterElements = 1000;
        JobClient client = job.start();
        waitUntil(() -> PG.count("sink_events") > 200, "rows flow");
        String savepoint =
                client.triggerSavepoint(
                                checkpoints.resolve("savepoints").toUri().toString(),
                                org.apache.flink.core.execution.SavepointFormatType.CANONICAL)
                        .get();
        assertTrue(savepoint != null && !savepoint.isEmpty());
        client.getJobExecutionResult().get();
        assertTrue(
                SinkTestJob.MAP_FAILED.get("savepoint-failover").get(),
                "the injected failure must have happened");
        assertExactlyOnce(job.count, false);
    }

    @Test
    void serverWithoutPreparedTransactionsIsAClearError() throws Exception {
        try (EmbeddedPostgres noTwoPhase =
                        PostgresExtension.startServer(Map.of("max_prepared_transactions", "0"));
                Connection c =
                        DriverManager.getConnection(
                                "jdbc:postgresql://localhost:" + noTwoPhase.getPort() + "/postgres",
                                "postgres",
                                "postgres")) {
            SQLException e =
                    assertThrows(
                            SQLException.class,
                            () -> PreparedTransactions.requireEnabled(c, "test-server"));
            assertTrue(e.getMessage().contains("max_prepared_transactions = 0"), e.getMessage());
            assertTrue(e.getMessage().contains("postgresql.conf"), e.getMessage());
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /**
     * Runs until the committer crashes on every attempt to commit checkpoint 4 or later; the job
     * dies with prepared transactions, everything before checkpoint 4 committed and nothing after.
     */
    private void crashForGood(String runId, int parallelism) throws Exception {
        SinkTestJob dying = job(runId);
        dying.parallelism = parallelism;
        dying.checkpointDir = checkpoints;
        dying.restart = false;
        dying.crashCommitsFrom = 4;
        dying.crashForever = true;
        assertThrows(Exception.class, dying::run);
        assertFalse(
                SinkTestJob.PREPARED_AT_CRASH.get(runId).isEmpty(),
                "the job must die with prepared transactions");
        assertFalse(
                PG.preparedTransactions().isEmpty(), "prepared transactions must be left behind");
    }

    private void restoreAndFinish(String runId, int parallelism, Path checkpoint) throws Exception {
        SinkTestJob restored = job(runId);
        restored.parallelism = parallelism;
        restored.restoreFrom = checkpoint.toUri().toString();
        restored.run();
        assertExactlyOnce(restored.count, false);
    }

    private List<Path> retainedCheckpoints() throws Exception {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(checkpoints)) {
            files.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .map(Path::getParent)
                    .filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .forEach(found::add);
        }
        found.sort(Comparator.comparingLong(PostgresSinkIT::checkpointId));
        assertFalse(found.isEmpty(), "no retained checkpoint under " + checkpoints);
        return found;
    }

    private static long checkpointId(Path chkDir) {
        return Long.parseLong(chkDir.getFileName().toString().substring("chk-".length()));
    }

    private static void waitUntil(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private static String causes(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append(" | ");
        }
        return all.toString();
    }

    private void assertExactlyOnce(long n, boolean audit) throws SQLException {
        assertEquals(
                List.of(n + "|" + n + "|0|" + (n - 1)),
                PG.rows(
                        "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM sink_events"),
                "sink_events: every number exactly once");
        assertEquals(
                List.of("0"),
                PG.rows(
                        "SELECT count(*) FROM sink_events WHERE payload <> E'p\\t' || seq || E'\\n\\\\' OR k <> seq % 10"),
                "sink_events: payloads survive COPY escaping");
        List<String> expectedCounts = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            expectedCounts.add(k + "|" + (n / 10));
        }
        assertEquals(
                expectedCounts,
                PG.rows("SELECT k, n FROM sink_counts ORDER BY k"),
                "sink_counts: upserted final counts");
        if (audit) {
            assertEquals(
                    List.of(n + "|" + (n - 1)),
                    PG.rows("SELECT count(*), max(seq) FROM sink_audit"),
                    "second sink");
        }
        assertEquals(
                List.of(), PG.preparedTransactions(), "no prepared transaction may be left behind");
    }
}
