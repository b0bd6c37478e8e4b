package dev.flinkpipelines.common.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.options.Preflight;
import dev.flinkpipelines.common.postgres.internal.PostgresCommittable;
import dev.flinkpipelines.common.postgres.internal.PostgresSinkWriter;
import dev.flinkpipelines.common.postgres.internal.QueueMailbox;
import dev.flinkpipelines.common.postgres.internal.SinkConfig;
import dev.flinkpipelines.testkit.PostgresExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a cancelled job leaves behind, and the command that shows it and rolls it back; the
 * preflight check that refuses a second deployment of a sink id at submission.
 */
class SinkAdminIT {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final TableSpec COUNTS =
            TableSpec.upsert("admin_counts", List.of("k"), "k", "n");

    private PostgresConnectionSettings connection;

    @BeforeEach
    void setUp() throws Exception {
        PG.rollBackPreparedTransactions();
        PG.execute(
                "CREATE TABLE IF NOT EXISTS admin_counts (k INT PRIMARY KEY, n BIGINT NOT NULL)",
                "TRUNCATE admin_counts",
                "TRUNCATE flink_sink_staged_rows");
        connection = new PostgresConnectionSettings(PG.jdbcUrl(), PG.user(), PG.password());
    }

    @Test
    void leftoversOfACancelledJobAreListedAndAbortedButNotWhileTheJobRuns() throws Exception {
        PostgresSinkWriter writer = writer("cancelled");
        writer.write(TableRow.of("admin_counts", 1, 1L), null);
        PostgresCommittable first = writer.prepareCommit().iterator().next();
        writer.snapshotState(1);
        writer.write(TableRow.of("admin_counts", 1, 2L), null);
        PostgresCommittable staged = writer.prepareCommit().iterator().next();
        assertEquals(1, staged.stagedRows());

        // while the job runs, its transactions are not leftovers
        Result refused = admin("--sink-id", "cancelled", "--abort");
        assertEquals(1, refused.code);
        assertTrue(
                refused.err.contains("has a running job") && refused.err.contains("job-cancelled"),
                refused.err);
        assertEquals(2, PG.preparedTransactions().size());

        // flink cancel: the writer goes, its prepared transactions stay
        writer.close();
        Result list = admin("--sink-id", "cancelled", "--list");
        assertEquals(0, list.code, list.err);
        assertTrue(list.out.contains("running writers: none"), list.out);
        assertTrue(list.out.contains(first.gid()) && list.out.contains(staged.gid()), list.out);
        assertTrue(list.out.contains("these are leftovers"), list.out);

        Result aborted = admin("--sink-id", "cancelled", "--abort");
        assertEquals(0, aborted.code, aborted.err);
        assertTrue(aborted.out.contains("rolled back 2 prepared transactions"), aborted.out);
        assertEquals(List.of(), PG.preparedTransactions());
        assertEquals(0, PG.count("flink_sink_staged_rows"));
        assertEquals(0, PG.count("admin_counts"), "aborted rows are discarded");
        assertEquals(0, admin("--sink-id", "cancelled").code, "listing nothing is fine");
    }

    @Test
    void badCommandLinesAreOneLineErrors() {
        Result missing = admin("--list");
        assertEquals(2, missing.code);
        assertTrue(missing.err.startsWith("error: --sink-id is required"), missing.err);
        Result both = admin("--sink-id", "x", "--list", "--abort");
        assertEquals(2, both.code);
        Result help = admin("--help");
        assertEquals(0, help.code);
        assertTrue(help.out.contains("--abort"), help.out);
    }

    @Test
    void preflightRefusesASinkIdThatARunningJobHolds() throws Exception {
        Preflight.sinkIdFree(connection, "busy");
        PostgresSinkWriter writer = writer("busy");
        Preflight.PreflightException e =
                assertThrows(
                        Preflight.PreflightException.class,
                        () -> Preflight.sinkIdFree(connection, "busy"));
        assertTrue(
                e.getMessage().contains("'busy' is in use")
                        && e.getMessage().contains("job-busy")
                        && e.getMessage().contains("--sink-id"),
                e.getMessage());
        Preflight.sinkIdFree(connection, "other-sink");
        writer.close();
        Preflight.sinkIdFree(connection, "busy");
    }

    private PostgresSinkWriter writer(String sinkId) throws Exception {
        SinkConfig config =
                new SinkConfig(
                        sinkId,
                        connection,
                        List.of(COUNTS),
                        1,
                        Duration.ofSeconds(1),
                        true,
                        Duration.ofMillis(200),
                        Duration.ofSeconds(5),
                        Duration.ofMillis(50));
        return new PostgresSinkWriter(
                config,
                "job-" + sinkId,
                0,
                1,
                OptionalLong.empty(),
                new QueueMailbox(),
                UnregisteredMetricsGroup.createSinkWriterMetricGroup(),
                List.of());
    }

    private record Result(int code, String out, String err) {}

    private Result admin(String... flags) {
        String[] argv = new String[flags.length + 6];
        argv[0] = "--jdbc-url";
        argv[1] = PG.jdbcUrl();
        argv[2] = "--jdbc-user";
        argv[3] = PG.user();
        argv[4] = "--jdbc-password";
        argv[5] = PG.password();
        System.arraycopy(flags, 0, argv, 6, flags.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                SinkAdmin.run(
                        argv,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
