package dev.flinkpipelines.jobs.videoviews;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.testkit.FlinkTestCluster;
import dev.flinkpipelines.testkit.JobRunProof;
import dev.flinkpipelines.testkit.KafkaExtension;
import dev.flinkpipelines.testkit.PostgresExtension;
import dev.flinkpipelines.testkit.corpus.ContractSchemas;
import dev.flinkpipelines.testkit.corpus.DeadLetterAssertions;
import dev.flinkpipelines.testkit.corpus.MalformedCorpus;
import dev.flinkpipelines.testkit.corpus.ProducedCorpus;
import dev.flinkpipelines.testkit.corpus.ProducedCorpus.Landed;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The malformed-input corpus of {@code video-views} (README, Tests) through the job on a
 * MiniCluster, real Kafka and PostgreSQL, interleaved with valid views: every corpus record is a
 * dead letter exactly once with its exact bytes and coordinates, every valid view is one ledger
 * row, and the job finishes without a single failure or restart.
 */
class MalformedCorpusIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(4);

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

    private static final int PARTITIONS = 3;
    private static final int VALID_VIEWS = 300;
    private static final Instant BASE = Instant.parse("2025-01-01T10:00:00Z");
    private static final DateTimeFormatter PG_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssx").withZone(ZoneOffset.UTC);

    @Test
    void everyMalformedRecordIsADeadLetterAndTheJobNeitherFailsNorRestarts(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        String topic = KAFKA.createTopic("video-views", PARTITIONS);
        ProducedCorpus produced =
                ProducedCorpus.produce(
                        KAFKA,
                        topic,
                        PARTITIONS,
                        MalformedCorpus.generate(ContractSchemas.VIDEO_VIEWS),
                        validViews());

        // --bounded ends the input at the offsets present at start; run in streaming execution, the
        // production path (checkpoints, a commit per checkpoint, restarts on failure)
        ParsedArgs args =
                VideoViewsJob.commandLine()
                        .parse(
                                JobRunProof.boundedFlags(
                                        KAFKA,
                                        PG,
                                        "--input-topic",
                                        topic,
                                        "--output-schema",
                                        "public"));
        JobRunProof.runBoundedInStreamingWithoutRestart(
                cluster, env -> VideoViewsJob.JOB.build(env, args), "video-views malformed corpus");
        DeadLetterAssertions.assertExactlyTheCorpus(PG, "video-views", produced);
        assertEquals(
                expectedLedger(produced),
                PG.rows(
                        "SELECT event_id, video_id, event_time, view_duration, counted, reason,"
                                + " revenue_eligible, kafka_topic, kafka_partition, kafka_offset FROM view_ledger ORDER BY kafka_partition, kafka_offset"));
        assertEquals(
                expectedHours(),
                PG.rows(
                        "SELECT window_start, video_id, total_views, revenue_views FROM video_views_1h"
                                + " ORDER BY window_start, video_id"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    /**
     * View i: its own event id, videos v1..v5, 20 s of event time apart, every third too short to
     * count.
     */
    private static List<byte[]> validViews() {
        List<byte[]> views = new ArrayList<>();
        for (int i = 0; i < VALID_VIEWS; i++) {
            views.add(
                    ("{\"event_id\":\""
                                    + eventId(i)
                                    + "\",\"video_id\":\""
                                    + video(i)
                                    + "\",\"user_id\":\"u"
                                    + (i % 11)
                                    + "\",\"session_id\":\"s"
                                    + (i % 17)
                                    + "\",\"timestamp\":\""
                                    + time(i)
                                    + "\",\"view_duration\":"
                                    + duration(i)
                                    + ",\"device_type\":\"web\",\"revenue_eligible\":"
                                    + eligible(i)
                                    + "}")
                            .getBytes(StandardCharsets.UTF_8));
        }
        return views;
    }

    private static String eventId(int i) {
        return UUID.nameUUIDFromBytes(("corpus-view-" + i).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    private static String video(int i) {
        return "v" + (1 + i % 5);
    }

    private static Instant time(int i) {
        return BASE.plusSeconds(20L * i);
    }

    private static int duration(int i) {
        return i % 3 == 0 ? 10 : 45;
    }

    private static boolean eligible(int i) {
        return i % 2 == 0;
    }

    private static boolean counted(int i) {
        return duration(i) >= 30;
    }

    private static List<String> expectedLedger(ProducedCorpus produced) {
        Map<Long, String> byCoordinates = new TreeMap<>();
        for (int i = 0; i < produced.valid().size(); i++) {
            Landed<byte[]> v = produced.valid().get(i);
            byCoordinates.put(
                    ((long) v.partition() << 40) + v.offset(),
                    eventId(i)
                            + "|"
                            + video(i)
                            + "|"
                            + PG_TIME.format(time(i))
                            + "|"
                            + duration(i)
                            + "|"
                            + (counted(i) ? "t|null" : "f|too_short")
                            + "|"
                            + (eligible(i) ? "t" : "f")
                            + "|"
                            + v.topic()
                            + "|"
                            + v.partition()
                            + "|"
                            + v.offset());
        }
        return new ArrayList<>(byCoordinates.values());
    }

    /** Per hour and video: counted views, and those of them eligible for revenue. */
    private static List<String> expectedHours() {
        Map<String, long[]> hours = new TreeMap<>();
        for (int i = 0; i < VALID_VIEWS; i++) {
            if (counted(i)) {
                long[] n =
                        hours.computeIfAbsent(
                                PG_TIME.format(time(i).truncatedTo(ChronoUnit.HOURS))
                                        + "|"
                                        + video(i),
                                k -> new long[2]);
                n[0]++;
                n[1] += eligible(i) ? 1 : 0;
            }
        }
        List<String> rows = new ArrayList<>();
        hours.forEach((key, n) -> rows.add(key + "|" + n[0] + "|" + n[1]));
        return rows;
    }
}
