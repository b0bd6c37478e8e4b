package dev.flinkpipelines.jobs.userevents;

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
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The malformed-input corpus of {@code user-events} (README, Tests) through the job on a
 * MiniCluster, real Kafka and PostgreSQL, interleaved with valid events: every corpus record is a
 * dead letter exactly once with its exact bytes and coordinates, every valid event is a row, and
 * the job finishes without a single failure or restart.
 */
class MalformedCorpusIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(4);

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

    private static final int PARTITIONS = 3;
    private static final int VALID_EVENTS = 300;
    private static final Instant BASE = Instant.parse("2025-01-01T10:00:00Z");
    private static final String[] TYPES = {"click", "play", "Pause"};
    private static final DateTimeFormatter PG_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssx").withZone(ZoneOffset.UTC);

    @Test
    void everyMalformedRecordIsADeadLetterAndTheJobNeitherFailsNorRestarts(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        String topic = KAFKA.createTopic("user-events", PARTITIONS);
        ProducedCorpus produced =
                ProducedCorpus.produce(
                        KAFKA,
                        topic,
                        PARTITIONS,
                        MalformedCorpus.generate(ContractSchemas.USER_EVENTS),
                        validEvents());

        // --bounded ends the input at the offsets present at start; run in streaming execution, the
        // production path (checkpoints, a commit per checkpoint, restarts on failure)
        ParsedArgs args =
                UserEventsJob.commandLine()
                        .parse(JobRunProof.boundedFlags(KAFKA, PG, "--input-topic", topic));
        JobRunProof.runBoundedInStreamingWithoutRestart(
                cluster, env -> UserEventsJob.JOB.build(env, args), "user-events malformed corpus");
        DeadLetterAssertions.assertExactlyTheCorpus(PG, UserEventsJob.NAME, produced);
        assertEquals(
                expectedUserEvents(produced),
                PG.rows(
                        "SELECT user_id, movie_id, event_type, event_timestamp, kafka_partition,"
                                + " kafka_offset FROM user_events ORDER BY kafka_partition, kafka_offset"));
        assertEquals(
                expectedActivity(),
                PG.rows(
                        "SELECT window_start, movie_id, event_type, event_count FROM movie_activity_1m"
                                + " ORDER BY window_start, movie_id, event_type"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    /** Event i: user 1000 + i, movie 1..7, two seconds of event time after event i - 1. */
    private static List<byte[]> validEvents() {
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < VALID_EVENTS; i++) {
            events.add(
                    ("{\"user_id\":"
                                    + (1000 + i)
                                    + ",\"movie_id\":"
                                    + movie(i)
                                    + ",\"event_type\":\""
                                    + TYPES[i % TYPES.length]
                                    + "\",\"timestamp\":"
                                    + time(i).toEpochMilli()
                                    + "}")
                            .getBytes(StandardCharsets.UTF_8));
        }
        return events;
    }

    private static int movie(int i) {
        return 1 + i % 7;
    }

    private static Instant time(int i) {
        return BASE.plusSeconds(2L * i);
    }

    private static String type(int i) {
        return TYPES[i % TYPES.length].toLowerCase(java.util.Locale.ROOT);
    }

    /** One row per valid event, in partition and offset order like the query. */
    private static List<String> expectedUserEvents(ProducedCorpus produced) {
        Map<Long, String> byCoordinates = new TreeMap<>();
        for (int i = 0; i < produced.valid().size(); i++) {
            Landed<byte[]> v = produced.valid().get(i);
            byCoordinates.put(
                    ((long) v.partition() << 40) + v.offset(),
                    (1000 + i)
                            + "|"
                            + movie(i)
                            + "|"
                            + type(i)
                            + "|"
                            + PG_TIME.format(time(i))
                            + "|"
                            + v.partition()
                            + "|"
                            + v.offset());
        }
        return new ArrayList<>(byCoordinates.values());
    }

    /** Per minute, movie and type: how many valid events; the corpus adds nothing. */
    private static List<String> expectedActivity() {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < VALID_EVENTS; i++) {
            counts.merge(
                    PG_TIME.format(time(i).truncatedTo(ChronoUnit.MINUTES))
                            + "|"
                            + movie(i)
                            + "|"
                            + type(i),
                    1,
                    Integer::sum);
        }
        List<String> rows = new ArrayList<>();
        counts.forEach((key, n) -> rows.add(key + "|" + n));
        return rows;
    }
}
