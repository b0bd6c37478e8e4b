package dev.flinkpipelines.jobs.videoviews;

import static dev.flinkpipelines.jobs.videoviews.VideoViewFixtures.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.events.VideoView;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.JobEnvironment;
import dev.flinkpipelines.testkit.FailOnceAfterCheckpoints;
import dev.flinkpipelines.testkit.FlinkTestCluster;
import dev.flinkpipelines.testkit.JobFlags;
import dev.flinkpipelines.testkit.KafkaExtension;
import dev.flinkpipelines.testkit.PostgresExtension;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The video-views job: exact ledger and hourly rows, batch agreement, and a failure over 50k
 * events.
 */
class VideoViewsJobIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(4);

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

    @BeforeEach
    void cleanTables() throws Exception {
        PG.rollBackPreparedTransactions();
        PG.execute(
                "TRUNCATE view_ledger, video_views_1h, reconcile.view_ledger, reconcile.video_views_1h, dead_letters, payout_rates");
    }

    @Test
    void exactLedgerAndHourlyRowsAndTheBatchRunAgrees() throws Exception {
        String topic = KAFKA.createTopic("video-views", 1);
        KAFKA.produceLines(
                topic,
                0,
                List.of(
                        view("e1", "v1", "10:05:00", 45, true),
                        view("e2", "v1", "10:10:00", 10, true), // too short
                        view("e1", "v1", "10:05:00", 45, true), // duplicate
                        view(
                                "e3",
                                "v2",
                                "10:20:00",
                                30,
                                false), // exactly the threshold, not revenue
                        "{\"event_id\":\"e4\",\"video_id\":\"v1\",\"user_id\":\"u\",\"session_id\":\"s\",\"timestamp\":\"2025-01-01T10:00:00Z\",\"view_duration\":90000}",
                        view("e5", "v1", "11:01:00", 300, true)));
        runStreaming(topic, UnaryOperator.identity());

        assertEquals(
                List.of(
                        "e1|v1|t|null|t|2025-01-01 10:00:00+00|0",
                        "e2|v1|f|too_short|t|2025-01-01 10:00:00+00|1",
                        "e1|v1|f|duplicate|t|2025-01-01 10:00:00+00|2",
                        "e3|v2|t|null|f|2025-01-01 10:00:00+00|3",
                        "e5|v1|t|null|t|2025-01-01 11:00:00+00|5"),
                PG.rows(
                        "SELECT event_id, video_id, counted, reason, revenue_eligible, window_start, kafka_offset"
                                + " FROM view_ledger ORDER BY kafka_offset"));
        assertEquals(
                List.of(
                        "2025-01-01 10:00:00+00|v1|1|1",
                        "2025-01-01 10:00:00+00|v2|1|0",
                        "2025-01-01 11:00:00+00|v1|1|1"),
                PG.rows(
                        "SELECT window_start, video_id, total_views, revenue_views FROM video_views_1h ORDER BY 1, 2"));
        assertEquals(
                List.of("4|OUT_OF_RANGE"),
                PG.rows(
                        "SELECT kafka_offset, error_code FROM dead_letters WHERE job_name = 'video-views'"));
        PG.execute("INSERT INTO payout_rates VALUES ('v1', 0.0125, 'USD')");
        assertEquals(
                List.of("v1|2025-01-01 00:00:00+00|2|0.03"),
                PG.rows("SELECT video_id, day, revenue_views, payout FROM video_payouts"));

        runBatch(topic);
        assertEquals(
                PG.rows(
                        "SELECT window_start, video_id, total_views, revenue_views FROM video_views_1h ORDER BY 1, 2"),
                PG.rows(
                        "SELECT window_start, video_id, total_views, revenue_views FROM reconcile.video_views_1h ORDER BY 1, 2"));
        try (Connection c = PG.connection()) {
            assertEquals(
                    List.of(),
                    Reconcile.compare(c),
                    "an undisturbed run and its batch recomputation agree");
        }
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void failuresDuringFiftyThousandEventsLeaveNothingToReconcile() throws Exception {
        String topic = KAFKA.createTopic("video-views", 2);
        Random random = new Random(7);
        long start = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();
        int produced = 0;
        for (int p = 0; p < 2; p++) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 25_000; i++) {
                String id = "p" + p + "-" + i;
                // popular-video skew, a second of event time apart per partition, some short views
                String json =
                        view(
                                        id,
                                        "v"
                                                + (int)
                                                        Math.floor(
                                                                Math.pow(random.nextDouble(), 3)
                                                                        * 50),
                                        Instant.ofEpochMilli(start + 1000L * i)
                                                .toString()
                                                .substring(11, 19),
                                        random.nextInt(120),
                                        random.nextInt(4) != 0)
                                .replace(
                                        "2025-01-01T",
                                        Instant.ofEpochMilli(start + 1000L * i)
                                                .toString()
                                                .substring(0, 11));
                lines.add(json);
                if (i % 100 == 0) {
                    lines.add(json); // a duplicate right behind
                }
                produced++;
            }
            KAFKA.produceLines(topic, p, lines);
        }
        assertTrue(produced >= 50_000);
        runStreaming(
                topic,
                v ->
                        v.map(
                                        new FailOnceAfterCheckpoints<VideoView>(
                                                "video-views-failure", 5_000, 0))
                                .name("inject failure")
                                .returns(VideoView.class));
        assertTrue(
                FailOnceAfterCheckpoints.failed("video-views-failure"),
                "the injected failure must have happened");
        assertEquals(List.of("50000"), PG.rows("SELECT count(DISTINCT event_id) FROM view_ledger"));
        assertEquals(
                List.of("500"),
                PG.rows("SELECT count(*) FROM view_ledger WHERE reason = 'duplicate'"));

        runBatch(topic);
        try (Connection c = PG.connection()) {
            assertEquals(
                    List.of(),
                    Reconcile.compare(c),
                    "after failures the streaming counts equal the batch recomputation");
        }
        assertEquals(List.of(), PG.preparedTransactions());
    }

    // ---- helpers ------------------------------------------------------------------------------

    private String[] args(String topic, String... more) {
        List<String> all =
                new ArrayList<>(List.of("--input-topic", topic, "--parallelism", "2", "--bounded"));
        all.addAll(List.of(more));
        return JobFlags.pointingAt(KAFKA, PG, all.toArray(new String[0]));
    }

    /** The bounded topic in streaming execution, into the public schema. */
    private void runStreaming(String topic, UnaryOperator<DataStream<VideoView>> hook)
            throws Exception {
        ParsedArgs args =
                VideoViewsJob.commandLine().parse(args(topic, "--output-schema", "public"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(env, args);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.enableCheckpointing(150);
        VideoViewsJob.JOB
                .tableSink(args)
                .write(
                        VideoViewsJob.pipeline(
                                VideoViewsJob.input(env, args).mapEvents(hook),
                                VideoViewsJob.Settings.from(args)));
        env.execute("video-views streaming");
    }

    /** --bounded: BATCH execution into the reconcile schema, exactly as a user runs it. */
    private void runBatch(String topic) throws Exception {
        ParsedArgs args = VideoViewsJob.commandLine().parse(args(topic));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(env, args);
        VideoViewsJob.JOB.build(env, args);
        env.execute("video-views reconcile");
    }
}
