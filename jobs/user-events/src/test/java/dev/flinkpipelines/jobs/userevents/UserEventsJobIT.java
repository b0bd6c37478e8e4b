package dev.flinkpipelines.jobs.userevents;

import static dev.flinkpipelines.jobs.userevents.UserEventFixtures.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.JobEnvironment;
import dev.flinkpipelines.testkit.FailOnceAfterCheckpoints;
import dev.flinkpipelines.testkit.FlinkTestCluster;
import dev.flinkpipelines.testkit.JobFlags;
import dev.flinkpipelines.testkit.KafkaExtension;
import dev.flinkpipelines.testkit.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The user-events job on a MiniCluster, reading a real Kafka topic, writing a real PostgreSQL. */
class UserEventsJobIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(4);

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

    @TempDir Path savepoints;

    @BeforeEach
    void cleanTables() throws Exception {
        PG.rollBackPreparedTransactions();
        PG.execute("TRUNCATE user_events, movie_activity_1m, dead_letters");
    }

    /**
     * Valid, invalid, non-UTF-8, out-of-order, late (within the allowed lateness) and too-late
     * records, produced in phases so the watermark reaches each point before the next record: every
     * table ends exactly as computed by hand.
     */
    @Test
    void exactRowsForValidInvalidOutOfOrderAndLateRecords() throws Exception {
        String topic = KAFKA.createTopic("user-events", 1);
        ParsedArgs args = args(topic, "--checkpoint-interval", "200", "--parallelism", "1");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(env, args);
        UserEventsJob.JOB.build(env, args);
        JobClient job = env.executeAsync("user-events exact rows");

        // offsets 0..5: window 10:00 gets click x2 (one out of order) and play; 10:01:30 closes it
        produce(
                topic,
                event(1, 1, "click", "10:00:10"),
                "not json",
                event(2, 1, "play", "10:00:40"),
                event(3, 1, "click", "10:00:05"),
                null,
                event(1, 1, "CLICK", "10:01:30"));
        awaitRows(
                "SELECT event_count FROM movie_activity_1m WHERE event_type = 'play'",
                List.of("1"));
        // offset 6: late, but within the 1 minute allowed lateness: the 10:00 click row becomes 3
        produce(topic, event(4, 1, "click", "10:00:50"));
        awaitRows(
                "SELECT event_count FROM movie_activity_1m WHERE window_start = '2025-01-01 10:00Z' AND event_type = 'click'",
                List.of("3"));
        // offset 7: moves the watermark past 10:02, beyond the 10:00 window's lateness
        produce(topic, event(5, 2, "play", "10:03:30"));
        awaitRows(
                "SELECT event_count FROM movie_activity_1m WHERE window_start = '2025-01-01 10:01Z'",
                List.of("1"));
        // offsets 8..10: too late for any window (kept in user_events only), an empty record,
        // and an event that closes the 10:03 and 10:04 windows
        produce(
                topic,
                event(6, 1, "click", "10:00:20"),
                "",
                event(7, 2, "click", "10:04:10"),
                event(8, 3, "share", "10:05:30"));
        awaitRows("SELECT count(*) FROM movie_activity_1m", List.of("5"));
        awaitRows("SELECT count(*) FROM user_events", List.of("9"));
        awaitRows("SELECT count(*) FROM dead_letters", List.of("3"));
        // a clean stop: the final savepoint commits the last transaction
        job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);

        assertEquals(
                List.of(
                        "1|1|click|2025-01-01 10:00:10+00|0|0",
                        "2|1|play|2025-01-01 10:00:40+00|0|2",
                        "3|1|click|2025-01-01 10:00:05+00|0|3",
                        "1|1|click|2025-01-01 10:01:30+00|0|5",
                        "4|1|click|2025-01-01 10:00:50+00|0|6",
                        "5|2|play|2025-01-01 10:03:30+00|0|7",
                        "6|1|click|2025-01-01 10:00:20+00|0|8",
                        "7|2|click|2025-01-01 10:04:10+00|0|10",
                        "8|3|share|2025-01-01 10:05:30+00|0|11"),
                PG.rows(
                        "SELECT user_id, movie_id, event_type, event_timestamp, kafka_partition, kafka_offset"
                                + " FROM user_events ORDER BY kafka_offset"));
        assertEquals(
                List.of(
                        "2025-01-01 10:00:00+00|2025-01-01 10:01:00+00|1|click|3",
                        "2025-01-01 10:00:00+00|2025-01-01 10:01:00+00|1|play|1",
                        "2025-01-01 10:01:00+00|2025-01-01 10:02:00+00|1|click|1",
                        "2025-01-01 10:03:00+00|2025-01-01 10:04:00+00|2|play|1",
                        "2025-01-01 10:04:00+00|2025-01-01 10:05:00+00|2|click|1"),
                PG.rows(
                        "SELECT window_start, window_end, movie_id, event_type, event_count FROM movie_activity_1m"
                                + " ORDER BY window_start, movie_id, event_type"));
        assertEquals(
                List.of(
                        "user-events|0|1|NOT_JSON",
                        "user-events|0|4|INVALID_UTF8",
                        "user-events|0|9|EMPTY_RECORD"),
                PG.rows(
                        "SELECT job_name, kafka_partition, kafka_offset, error_code FROM dead_letters ORDER BY kafka_offset"));
        assertEquals(
                List.of("click|6|5|2", "play|2|2|2", "share|1|1|1"),
                PG.rows("SELECT * FROM user_events_stats ORDER BY event_type"));
        assertEquals(
                List.of("8|share", "7|click"),
                PG.rows("SELECT user_id, event_type FROM get_recent_events(2)"));
        assertEquals(
                List.of("1|2025-01-01 10:01:30+00", "1|2025-01-01 10:00:10+00"),
                PG.rows("SELECT user_id, event_timestamp FROM get_user_events(1, 5)"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    /**
     * FLINK-40499: Flink 2.2.1 drops the final watermark on an output that announced itself idle,
     * so a drain after the input was quiet longer than {@code --source-idle-timeout} used to leave
     * the last windows unfired. Quiet for more than the (short) idle timeout, then stop with a
     * drain: every window is written with its exact count.
     */
    @Test
    void drainAfterTheInputWentIdleFiresEveryWindow() throws Exception {
        String topic = KAFKA.createTopic("user-events", 1);
        ParsedArgs args =
                args(
                        topic,
                        "--checkpoint-interval",
                        "200",
                        "--parallelism",
                        "1",
                        "--source-idle-timeout",
                        "2s");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(env, args);
        UserEventsJob.JOB.build(env, args);
        JobClient job = env.executeAsync("user-events drain after idle");

        // the watermark reaches 10:02:25 - 1 ms: the 10:00 and 10:01 windows fire, the 10:02 ones
        // stay open
        produce(
                topic,
                event(1, 1, "click", "10:00:10"),
                event(2, 1, "click", "10:00:20"),
                event(3, 2, "play", "10:01:05"),
                event(4, 1, "click", "10:02:10"),
                event(5, 2, "play", "10:02:30"));
        awaitRows("SELECT count(*) FROM user_events", List.of("5"));
        awaitRows(
                "SELECT window_start, movie_id, event_type, event_count FROM movie_activity_1m ORDER BY 1, 2, 3",
                List.of("2025-01-01 10:00:00+00|1|click|2", "2025-01-01 10:01:00+00|2|play|1"));
        // quiet for well over the idle timeout: the partition, and so the source, is idle
        Thread.sleep(5_000);
        job.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.DEFAULT)
                .get(60, TimeUnit.SECONDS);

        assertEquals(
                List.of(
                        "2025-01-01 10:00:00+00|1|click|2",
                        "2025-01-01 10:01:00+00|2|play|1",
                        "2025-01-01 10:02:00+00|1|click|1",
                        "2025-01-01 10:02:00+00|2|play|1"),
                PG.rows(
                        "SELECT window_start, movie_id, event_type, event_count FROM movie_activity_1m ORDER BY 1, 2, 3"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    /**
     * Three {@code flink stop --drain} in a row, each resumed from its drained savepoint, the
     * middle one after the input went idle: every drain writes every open window, and the resumed
     * job completes the windows a drain fired early, so the tables end as an undisturbed run leaves
     * them.
     */
    @Test
    void threeDrainsInARowEachResumedLeaveEveryRowAndWindowAsAnUndisturbedRun() throws Exception {
        String topic = KAFKA.createTopic("user-events", 1);
        ParsedArgs args =
                args(
                        topic,
                        "--checkpoint-interval",
                        "200",
                        "--parallelism",
                        "1",
                        "--source-idle-timeout",
                        "2s");
        List<String[]> rounds =
                List.of(
                        new String[] {
                            event(1, 1, "click", "10:00:10"),
                            event(2, 1, "click", "10:00:50"),
                            event(3, 2, "play", "10:01:20")
                        },
                        // the 10:01 window was drained with one event; this round adds to it
                        new String[] {
                            event(4, 2, "play", "10:01:40"),
                            event(5, 1, "click", "10:02:05"),
                            event(6, 1, "click", "10:02:15")
                        },
                        new String[] {
                            event(7, 1, "click", "10:02:45"),
                            event(8, 2, "play", "10:03:10"),
                            event(9, 2, "play", "10:03:30")
                        });
        String savepoint = null;
        int produced = 0;
        for (int round = 0; round < rounds.size(); round++) {
            Configuration conf = new Configuration();
            if (savepoint != null) {
                conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            }
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            JobEnvironment.configure(env, args);
            UserEventsJob.JOB.build(env, args);
            JobClient job = env.executeAsync("user-events drain " + (round + 1));
            produce(topic, rounds.get(round));
            produced += rounds.get(round).length;
            awaitRows("SELECT count(*) FROM user_events", List.of(String.valueOf(produced)));
            if (round == 1) {
                Thread.sleep(5_000); // quiet for well over the idle timeout before this drain
            }
            savepoint =
                    job.stopWithSavepoint(
                                    true,
                                    savepoints.toUri().toString(),
                                    SavepointFormatType.DEFAULT)
                            .get(60, TimeUnit.SECONDS);
            assertEquals(
                    List.of(),
                    PG.preparedTransactions(),
                    "drain " + (round + 1) + " leaves nothing prepared");
        }
        assertEquals(
                List.of(
                        "2025-01-01 10:00:00+00|1|click|2",
                        "2025-01-01 10:01:00+00|2|play|2",
                        "2025-01-01 10:02:00+00|1|click|3",
                        "2025-01-01 10:03:00+00|2|play|2"),
                PG.rows(
                        "SELECT window_start, movie_id, event_type, event_count FROM movie_activity_1m ORDER BY 1, 2, 3"));
        assertEquals(
                List.of("9|9"),
                PG.rows("SELECT count(*), count(DISTINCT kafka_offset) FROM user_events"));
        assertEquals(List.of("0"), PG.rows("SELECT count(*) FROM flink_sink_staged_rows"));
    }

    /** A failure injected mid-stream: after the restart every row is there exactly once. */
    @Test
    void failureMidStreamLosesAndDoublesNothing() throws Exception {
        String topic = KAFKA.createTopic("user-events", 2);
        int perPartition = produceSteadyTraffic(topic, 1500);
        ParsedArgs args =
                args(topic, "--checkpoint-interval", "150", "--parallelism", "2", "--bounded");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(env, args);
        // the same bounded input in streaming execution, so checkpoints and the restart happen
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.enableCheckpointing(150);
        UserEventsJob.JOB
                .tableSink(args)
                .write(
                        UserEventsJob.pipeline(
                                UserEventsJob.input(env, args)
                                        .mapEvents(
                                                events ->
                                                        events.map(
                                                                        new FailOnceAfterCheckpoints<
                                                                                UserEvent>(
                                                                                "user-events-failure",
                                                                                300,
                                                                                1))
                                                                .name("inject failure")
                                                                .returns(UserEvent.class)),
                                args.get(UserEventsJob.ALLOWED_LATENESS)));
        env.execute("user-events with a failure");

        assertTrue(
                FailOnceAfterCheckpoints.failed("user-events-failure"),
                "the injected failure must have happened");
        assertSteadyTrafficExactlyOnce(perPartition);
    }

    /** --bounded (BATCH execution over the same code) finishes by itself with the same results. */
    @Test
    void boundedRunFinishesByItself() throws Exception {
        String topic = KAFKA.createTopic("user-events", 2);
        int perPartition = produceSteadyTraffic(topic, 1500);
        ParsedArgs args = args(topic, "--parallelism", "2", "--bounded");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(env, args);
        UserEventsJob.JOB.build(env, args);
        env.execute("user-events bounded");
        assertSteadyTrafficExactlyOnce(perPartition);
    }

    // ---- fixtures -----------------------------------------------------------------------------

    private ParsedArgs args(String topic, String... more) throws Exception {
        List<String> all = new ArrayList<>(List.of("--input-topic", topic));
        all.addAll(List.of(more));
        return UserEventsJob.commandLine()
                .parse(JobFlags.pointingAt(KAFKA, PG, all.toArray(new String[0])));
    }

    /** Produces to partition 0; null stands for bytes that are not UTF-8. */
    private static void produce(String topic, String... records) {
        List<byte[]> values = UserEventFixtures.bytes(records);
        KAFKA.produce(topic, 0, values);
    }

    /**
     * In each partition: {@code n} valid events one second of event time apart, movies 1..5 and
     * types click/play in turn, and a bad record every 100th offset.
     */
    private static int produceSteadyTraffic(String topic, int n) {
        long start = Instant.parse("2025-01-01T10:00:00Z").toEpochMilli();
        for (int p = 0; p < 2; p++) {
            List<byte[]> values = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (i % 100 == 50) {
                    values.add(
                            ("{\"user_id\":\"bad\",\"offset-ish\":" + i + "}")
                                    .getBytes(StandardCharsets.UTF_8));
                }
                String json =
                        "{\"user_id\":"
                                + (1 + 1000 * p + i)
                                + ",\"movie_id\":"
                                + (1 + i % 5)
                                + ",\"event_type\":\""
                                + (i % 2 == 0 ? "click" : "play")
                                + "\",\"timestamp\":"
                                + (start + 1000L * i)
                                + "}";
                values.add(json.getBytes(StandardCharsets.UTF_8));
            }
            KAFKA.produce(topic, p, values);
        }
        return n;
    }

    private static void assertSteadyTrafficExactlyOnce(int perPartition) throws Exception {
        int total = 2 * perPartition;
        int bad = 2 * (perPartition / 100);
        assertEquals(
                List.of(total + "|" + total),
                PG.rows(
                        "SELECT count(*), count(DISTINCT (kafka_partition, kafka_offset)) FROM user_events"));
        assertEquals(
                List.of(String.valueOf(bad)),
                PG.rows("SELECT count(*) FROM dead_letters WHERE error_code = 'WRONG_TYPE'"));
        // every event is in exactly one window count, and each window matches user_events
        assertEquals(
                List.of(String.valueOf(total)),
                PG.rows("SELECT sum(event_count) FROM movie_activity_1m"));
        assertEquals(
                List.of("0"),
                PG.rows(
                        "SELECT count(*) FROM movie_activity_1m a FULL JOIN ("
                                + " SELECT date_trunc('minute', event_timestamp) AS w, movie_id, event_type, count(*) AS n"
                                + " FROM user_events GROUP BY 1, 2, 3) u"
                                + " ON a.window_start = u.w AND a.movie_id = u.movie_id AND a.event_type = u.event_type"
                                + " WHERE a.event_count IS DISTINCT FROM u.n"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    private static void awaitRows(String sql, List<String> expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<String> rows = PG.rows(sql);
        while (!rows.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            rows = PG.rows(sql);
        }
        assertEquals(expected, rows, "waiting for: " + sql);
    }
}
