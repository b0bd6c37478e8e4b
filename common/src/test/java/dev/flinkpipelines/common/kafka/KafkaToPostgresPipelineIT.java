package dev.flinkpipelines.common.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.deadletter.DeadLetterRows;
import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.options.CommandLine;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.JobEnvironment;
import dev.flinkpipelines.common.options.Preflight;
import dev.flinkpipelines.common.parse.UserEventParser;
import dev.flinkpipelines.common.postgres.PostgresConnectionSettings;
import dev.flinkpipelines.common.postgres.PostgresSink;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableRowTypeInfo;
import dev.flinkpipelines.common.postgres.TableSpec;
import dev.flinkpipelines.testkit.FlinkTestCluster;
import dev.flinkpipelines.testkit.JobFlags;
import dev.flinkpipelines.testkit.KafkaExtension;
import dev.flinkpipelines.testkit.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared wiring of every job — Kafka source with coordinates, parsing, watermarks, dead
 * letters, the exactly-once sink — from a real Kafka topic to exact PostgreSQL rows.
 */
class KafkaToPostgresPipelineIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(2);

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

    private static final TableSpec EVENTS =
            TableSpec.appendIgnoringDuplicates(
                    "it_user_events",
                    "user_id",
                    "movie_id",
                    "event_type",
                    "event_time",
                    "kafka_partition",
                    "kafka_offset");

    @BeforeEach
    void createTable() throws Exception {
        PG.execute(
                "CREATE TABLE IF NOT EXISTS it_user_events (user_id INT, movie_id INT, event_type TEXT,"
                        + " event_time TIMESTAMPTZ, kafka_partition INT, kafka_offset BIGINT, UNIQUE (kafka_partition, kafka_offset))",
                "TRUNCATE it_user_events, dead_letters");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"batch (--bounded)", "streaming with checkpoints"})
    void everyRecordBecomesARowOrADeadLetter(String mode) throws Exception {
        String topic = KAFKA.createTopic("pipeline", 2);
        KAFKA.produce(
                topic,
                0,
                List.of(
                        utf8(
                                "{\"user_id\":1,\"movie_id\":10,\"event_type\":\"CLICK\",\"timestamp\":1701234567890}"),
                        utf8("hello"),
                        utf8(
                                "{\"user_id\":2,\"movie_id\":20,\"event_type\":\"play\",\"timestamp\":1701234500000}")));
        KAFKA.produce(
                topic,
                1,
                List.of(
                        new byte[] {'{', (byte) 0xFF, '}'},
                        new byte[0],
                        utf8(
                                "{\"user_id\":-3,\"movie_id\":30,\"event_type\":\"play\",\"timestamp\":1701234567890}"),
                        utf8(
                                "{\"user_id\":3,\"movie_id\":30,\"event_type\":\"Trà sữa\",\"timestamp\":1701234599999}")));

        CommandLine cli = CommonFlags.forJob("it", "test").add(CommonFlags.inputTopic(topic));
        boolean batch = mode.startsWith("batch");
        ParsedArgs args =
                cli.parse(
                        JobFlags.pointingAt(
                                KAFKA,
                                PG,
                                "--checkpoint-interval",
                                "200",
                                "--parallelism",
                                "2",
                                "--bounded"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(env, args);
        if (!batch) {
            // the same bounded source, but streaming execution: results commit at checkpoints and
            // the rest at the final checkpoint after end of input
            env.setRuntimeMode(org.apache.flink.api.common.RuntimeExecutionMode.STREAMING);
            env.enableCheckpointing(200);
        }
        ParsedSource<UserEvent> source =
                ParsedSource.fromKafka(
                        env,
                        args,
                        "it-job",
                        CommonFlags.inputTopic(topic),
                        new UserEventParser(),
                        UserEvent.class);
        PostgresSink sink =
                PostgresSink.builder(
                                "it-pipeline-" + (batch ? "b" : "s"), JobEnvironment.postgres(args))
                        .table(EVENTS)
                        .table(DeadLetterRows.TABLE)
                        .build();
        source.events()
                .map(
                        e ->
                                TableRow.of(
                                        "it_user_events",
                                        e.userId(),
                                        e.movieId(),
                                        e.eventType(),
                                        Instant.ofEpochMilli(e.timestampMillis()),
                                        e.source().partition(),
                                        e.source().offset()))
                .returns(TableRowTypeInfo.INSTANCE)
                .union(source.deadLetters())
                .sinkTo(sink)
                .uid("postgres");
        env.execute("pipeline " + mode);

        assertEquals(
                List.of(
                        "1|10|click|2023-11-29 05:09:27.89+00|0|0",
                        "2|20|play|2023-11-29 05:08:20+00|0|2",
                        "3|30|trà sữa|2023-11-29 05:09:59.999+00|1|3"),
                PG.rows(
                        "SELECT user_id, movie_id, event_type, event_time, kafka_partition, kafka_offset"
                                + " FROM it_user_events ORDER BY kafka_partition, kafka_offset"));
        assertEquals(
                List.of(
                        "it-job|0|1|NOT_JSON|hello|68656c6c6f",
                        "it-job|1|0|INVALID_UTF8|{\uFFFD}|7bff7d",
                        "it-job|1|1|EMPTY_RECORD||",
                        "it-job|1|2|OUT_OF_RANGE|{\"user_id\":-3,\"movie_id\":30,\"event_type\":\"play\",\"timestamp\":1701234567890}|"
                                + hex(
                                        "{\"user_id\":-3,\"movie_id\":30,\"event_type\":\"play\",\"timestamp\":1701234567890}")),
                PG.rows(
                        "SELECT job_name, kafka_partition, kafka_offset, error_code, raw_text, encode(raw_bytes, 'hex')"
                                + " FROM dead_letters WHERE kafka_topic = '"
                                + topic
                                + "' ORDER BY kafka_partition, kafka_offset"));
        assertEquals(
                List.of("field 'user_id' is -3, allowed 1..2147483647"),
                PG.rows("SELECT reason FROM dead_letters WHERE error_code = 'OUT_OF_RANGE'"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void preflightNamesTheProblemAndTheFix() throws Exception {
        String unreachable = "jdbc:postgresql://localhost:1/flink";
        String pgDown =
                assertThrows(
                                Preflight.PreflightException.class,
                                () ->
                                        Preflight.postgres(
                                                new PostgresConnectionSettings(
                                                        unreachable, "flink", "x")))
                        .getMessage();
        assertTrue(pgDown.startsWith("cannot connect to PostgreSQL at " + unreachable), pgDown);
        assertTrue(pgDown.contains("--jdbc-url"), pgDown);

        String noSchema =
                assertThrows(
                                Preflight.PreflightException.class,
                                () ->
                                        Preflight.postgres(
                                                new PostgresConnectionSettings(
                                                        PG.jdbcUrl(), PG.user(), PG.password()),
                                                "no_such_table"))
                        .getMessage();
        assertTrue(
                noSchema.contains("table no_such_table does not exist")
                        && noSchema.contains("migrate"),
                noSchema);

        Preflight.postgres(
                new PostgresConnectionSettings(PG.jdbcUrl(), PG.user(), PG.password()),
                "dead_letters");

        String noTopic =
                assertThrows(
                                Preflight.PreflightException.class,
                                () ->
                                        Preflight.kafka(
                                                KAFKA.bootstrapServers(), List.of("no-such-topic")))
                        .getMessage();
        assertTrue(
                noTopic.startsWith("Kafka topic missing on " + KAFKA.bootstrapServers()), noTopic);
        Preflight.kafka(KAFKA.bootstrapServers(), List.of(KAFKA.createTopic("exists", 1)));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : utf8(s)) {
            out.append(String.format("%02x", b));
        }
        return out.toString();
    }
}
