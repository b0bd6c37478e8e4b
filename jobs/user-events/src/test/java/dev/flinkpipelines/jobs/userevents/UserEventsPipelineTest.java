package dev.flinkpipelines.jobs.userevents;

import static dev.flinkpipelines.jobs.userevents.UserEventFixtures.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.kafka.ParsedSource;
import dev.flinkpipelines.common.parse.UserEventParser;
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
 * The job's pipeline on a list of records, without Kafka or PostgreSQL: every row it hands its
 * sink, for valid, invalid, non-UTF-8, empty, out-of-order, late and too-late records. (The same
 * fixture against the real services, and what PostgreSQL makes of the rows, is UserEventsJobIT.)
 */
class UserEventsPipelineTest {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(1);

    @Test
    void everyRowForValidInvalidOutOfOrderAndLateRecords() throws Exception {
        CollectedTables tables =
                run(
                        event(1, 1, "click", "10:00:10"),
                        "not json",
                        event(2, 1, "play", "10:00:40"),
                        event(3, 1, "click", "10:00:05"), // out of order, its window still open
                        null, // not UTF-8
                        event(1, 1, "CLICK", "10:01:30"), // fires 10:00: click 2, play 1
                        event(4, 1, "click", "10:00:50"), // late within 1 min: click becomes 3
                        event(5, 2, "play", "10:03:30"), // fires 10:01; 10:00 is now closed
                        event(6, 1, "click", "10:00:20"), // too late for any window
                        "",
                        event(7, 2, "click", "10:04:10"),
                        event(8, 3, "share", "10:05:30")); // end of input fires the rest

        assertEquals(
                List.of(
                        "1|1|click|2025-01-01T10:00:10Z|0|0",
                        "2|1|play|2025-01-01T10:00:40Z|0|2",
                        "3|1|click|2025-01-01T10:00:05Z|0|3",
                        "1|1|click|2025-01-01T10:01:30Z|0|5",
                        "4|1|click|2025-01-01T10:00:50Z|0|6",
                        "5|2|play|2025-01-01T10:03:30Z|0|7",
                        "6|1|click|2025-01-01T10:00:20Z|0|8",
                        "7|2|click|2025-01-01T10:04:10Z|0|10",
                        "8|3|share|2025-01-01T10:05:30Z|0|11"),
                tables.rows(
                        "user_events",
                        "user_id",
                        "movie_id",
                        "event_type",
                        "event_timestamp",
                        "kafka_partition",
                        "kafka_offset"));
        // every version the sink upserts, in order per row: the 10:00 click is 2, then 3
        assertEquals(
                List.of(
                        "2025-01-01T10:00:00Z|1|click|2",
                        "2025-01-01T10:00:00Z|1|play|1",
                        "2025-01-01T10:00:00Z|1|click|3",
                        "2025-01-01T10:01:00Z|1|click|1",
                        "2025-01-01T10:03:00Z|2|play|1",
                        "2025-01-01T10:04:00Z|2|click|1",
                        "2025-01-01T10:05:00Z|3|share|1"),
                tables.rows(
                        "movie_activity_1m",
                        "window_start",
                        "movie_id",
                        "event_type",
                        "event_count"));
        assertEquals(
                List.of(
                        "user-events|user-events|0|1|NOT_JSON",
                        "user-events|user-events|0|4|INVALID_UTF8",
                        "user-events|user-events|0|9|EMPTY_RECORD"),
                tables.rows(
                        "dead_letters",
                        "job_name",
                        "kafka_topic",
                        "kafka_partition",
                        "kafka_offset",
                        "error_code"));
    }

    /** Runs the job's pipeline over {@code records} (offsets 0, 1, …; null: bytes not UTF-8). */
    private static CollectedTables run(String... records) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<byte[]> values = UserEventFixtures.bytes(records);
        ParsedSource<UserEvent> input =
                InMemoryInput.ofBytes(
                        env,
                        UserEventsJob.NAME,
                        "user-events",
                        new UserEventParser(),
                        UserEvent.class,
                        Duration.ofSeconds(5),
                        values);
        CollectedTables tables = new CollectedTables();
        tables.write(UserEventsJob.pipeline(input, Duration.ofMinutes(1)));
        return tables.run(env, "user-events pipeline");
    }
}
