package dev.flinkpipelines.jobs.videoviews;

import static dev.flinkpipelines.jobs.videoviews.VideoViewFixtures.view;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.events.VideoView;
import dev.flinkpipelines.common.parse.VideoViewParser;
import dev.flinkpipelines.testkit.FlinkTestCluster;
import dev.flinkpipelines.testkit.pipeline.CollectedTables;
import dev.flinkpipelines.testkit.pipeline.InMemoryInput;
import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job's pipeline on a list of views, without Kafka or PostgreSQL: counted, too short, duplicate
 * (also twice), late within the allowed lateness and beyond it, and an invalid record; every ledger
 * row and every hourly count it hands its sink. (Against the real services, with failures and the
 * batch reconciliation: VideoViewsJobIT.)
 */
class VideoViewsPipelineTest {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(1);

    @Test
    void everyLedgerRowAndHourlyCount() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        CollectedTables tables = new CollectedTables();
        tables.write(
                VideoViewsJob.pipeline(
                        InMemoryInput.of(
                                env,
                                VideoViewsJob.NAME,
                                "video-views",
                                new VideoViewParser(),
                                VideoView.class,
                                Duration.ofSeconds(5),
                                List.of(
                                        view("e1", "v1", "10:05:00", 45, true),
                                        view("e2", "v1", "10:10:00", 10, true), // too short
                                        view("e1", "v1", "10:05:00", 45, true), // duplicate
                                        view("e3", "v2", "10:20:00", 30, false), // at threshold
                                        "{\"event_id\":\"e4\",\"video_id\":\"v1\",\"user_id\":\"u\","
                                                + "\"session_id\":\"s\",\"timestamp\":"
                                                + "\"2025-01-01T10:00:00Z\",\"view_duration\":90000}",
                                        view("e5", "v1", "11:01:00", 300, true),
                                        view("e7", "v1", "10:30:00", 60, true), // late, in 1 h
                                        view("e8", "v2", "12:30:00", 60, true), // closes 10:00
                                        view("e9", "v1", "10:40:00", 60, true), // hour closed
                                        view("e1", "v1", "10:05:00", 45, true))), // again
                        new VideoViewsJob.Settings(
                                Duration.ofHours(24), 30, Duration.ofHours(1), "public")));
        tables.run(env, "video-views pipeline");

        assertEquals(
                List.of(
                        "0|e1|v1|true|null|true|2025-01-01T10:00:00Z",
                        "1|e2|v1|false|too_short|true|2025-01-01T10:00:00Z",
                        "2|e1|v1|false|duplicate|true|2025-01-01T10:00:00Z",
                        "3|e3|v2|true|null|false|2025-01-01T10:00:00Z",
                        "5|e5|v1|true|null|true|2025-01-01T11:00:00Z",
                        "6|e7|v1|true|null|true|2025-01-01T10:00:00Z",
                        "7|e8|v2|true|null|true|2025-01-01T12:00:00Z",
                        "8|e9|v1|false|late|true|2025-01-01T10:00:00Z",
                        "9|e1|v1|false|duplicate|true|2025-01-01T10:00:00Z"),
                tables
                        .rows(
                                "public.view_ledger",
                                "kafka_offset",
                                "event_id",
                                "video_id",
                                "counted",
                                "reason",
                                "revenue_eligible",
                                "window_start")
                        .stream()
                        .sorted()
                        .toList());
        // one version per counted view, in the order the views were counted
        assertEquals(
                List.of(
                        "2025-01-01T10:00:00Z|v1|1|1",
                        "2025-01-01T10:00:00Z|v2|1|0",
                        "2025-01-01T11:00:00Z|v1|1|1",
                        "2025-01-01T10:00:00Z|v1|2|2",
                        "2025-01-01T12:00:00Z|v2|1|1"),
                tables.rows(
                        "public.video_views_1h",
                        "window_start",
                        "video_id",
                        "total_views",
                        "revenue_views"));
        assertEquals(
                List.of("4|OUT_OF_RANGE"),
                tables.rows("dead_letters", "kafka_offset", "error_code"));
    }
}
