package dev.flinkpipelines.jobs.orders;

import static dev.flinkpipelines.generator.OrderEventRecords.orderEventJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.JobEnvironment;
import dev.flinkpipelines.testkit.FailOnceAfterCheckpoints;
import dev.flinkpipelines.testkit.FlinkTestCluster;
import dev.flinkpipelines.testkit.JobFlags;
import dev.flinkpipelines.testkit.KafkaExtension;
import dev.flinkpipelines.testkit.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The orders job on a MiniCluster with a real Kafka (input and exactly-once output) and PostgreSQL.
 */
class OrdersJobIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(4);

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

    @BeforeEach
    void cleanTables() throws Exception {
        PG.rollBackPreparedTransactions();
        PG.execute("TRUNCATE events_clean, dead_letters");
    }

    @Test
    void validDuplicateAndInvalidEventsEndUpExactlyWhereTheyBelong() throws Exception {
        String in = KAFKA.createTopic("events_raw", 2);
        String out = KAFKA.createTopic("events_clean", 2);
        String e1 =
                orderEventJson(
                        "11111111-1111-4111-8111-111111111111",
                        "2025-11-30T15:30:00Z",
                        "order_created",
                        "ORD1",
                        "USR1",
                        "100.00",
                        "VND",
                        "success");
        String e2 =
                orderEventJson(
                        "22222222-2222-4222-8222-222222222222",
                        "2025-11-30T15:30:10Z",
                        "payment_success",
                        "ORD1",
                        "USR1",
                        "100",
                        "VND",
                        "success");
        String e3 =
                orderEventJson(
                        "33333333-3333-4333-8333-333333333333",
                        "2025-11-30T15:31:00Z",
                        "order_created",
                        "ORD2",
                        "USR2",
                        "19.99",
                        "USD",
                        "pending");
        String e4 =
                orderEventJson(
                        "44444444-4444-4444-8444-444444444444",
                        "2025-11-30T15:31:20Z",
                        "payment_failed",
                        "ORD2",
                        "USR2",
                        "19.99",
                        "USD",
                        "failed");
        KAFKA.produceLines(in, 0, List.of(e1, e2, e1, e1.replace("100.00", "12.345"), "{oops"));
        KAFKA.produceLines(
                in,
                1,
                List.of(
                        e3,
                        e3,
                        e4,
                        e4.replace("\"USD\"", "\"EUR\"")
                                .replace("4444-4444-8444", "4444-4444-8445")));

        runBoundedStreaming(in, out, UnaryOperator.identity(), "2");

        assertEquals(
                List.of(
                        "11111111-1111-4111-8111-111111111111|2025-11-30 15:30:00+00|order_created|ORD1|USR1|100.00|VND|success|0|0",
                        "22222222-2222-4222-8222-222222222222|2025-11-30 15:30:10+00|payment_success|ORD1|USR1|100.00|VND|success|0|1",
                        "33333333-3333-4333-8333-333333333333|2025-11-30 15:31:00+00|order_created|ORD2|USR2|19.99|USD|pending|1|0",
                        "44444444-4444-4444-8444-444444444444|2025-11-30 15:31:20+00|payment_failed|ORD2|USR2|19.99|USD|failed|1|2"),
                PG.rows(
                        "SELECT id, event_time, event_type, order_id, user_id, amount, currency, status, kafka_partition, kafka_offset"
                                + " FROM events_clean ORDER BY id"));
        assertEquals(
                List.of(
                        "0|3|INVALID_VALUE|field 'amount' has more than 2 decimals: 12.345 (amounts are never rounded)",
                        "0|4|NOT_JSON",
                        "1|3|INVALID_VALUE|field 'currency' is 'EUR', expected one of vnd, usd"),
                PG
                        .rows(
                                "SELECT kafka_partition, kafka_offset, error_code, CASE WHEN error_code = 'NOT_JSON' THEN NULL ELSE reason END"
                                        + " FROM invalid_events ORDER BY 1, 2")
                        .stream()
                        .map(r -> r.replace("|null", ""))
                        .collect(Collectors.toList()));

        List<String> published =
                KAFKA.readAll(out, "read_committed").stream()
                        .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                        .sorted()
                        .collect(Collectors.toList());
        assertEquals(
                List.of(
                        "{\"id\":\"11111111-1111-4111-8111-111111111111\",\"eventTime\":\"2025-11-30T15:30:00Z\",\"eventType\":\"order_created\",\"orderId\":\"ORD1\",\"userId\":\"USR1\",\"amount\":100.00,\"currency\":\"VND\",\"status\":\"success\"}",
                        "{\"id\":\"22222222-2222-4222-8222-222222222222\",\"eventTime\":\"2025-11-30T15:30:10Z\",\"eventType\":\"payment_success\",\"orderId\":\"ORD1\",\"userId\":\"USR1\",\"amount\":100.00,\"currency\":\"VND\",\"status\":\"success\"}",
                        "{\"id\":\"33333333-3333-4333-8333-333333333333\",\"eventTime\":\"2025-11-30T15:31:00Z\",\"eventType\":\"order_created\",\"orderId\":\"ORD2\",\"userId\":\"USR2\",\"amount\":19.99,\"currency\":\"USD\",\"status\":\"pending\"}",
                        "{\"id\":\"44444444-4444-4444-8444-444444444444\",\"eventTime\":\"2025-11-30T15:31:20Z\",\"eventType\":\"payment_failed\",\"orderId\":\"ORD2\",\"userId\":\"USR2\",\"amount\":19.99,\"currency\":\"USD\",\"status\":\"failed\"}"),
                published,
                "a read_committed consumer sees each clean event exactly once");
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void failureMidStreamKeepsPostgresAndKafkaExactlyOnceAndDuplicatesOut() throws Exception {
        String in = KAFKA.createTopic("events_raw", 2);
        String out = KAFKA.createTopic("events_clean", 2);
        Set<String> unique = new HashSet<>();
        int invalid = 0;
        for (int p = 0; p < 2; p++) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                String id =
                        UUID.nameUUIDFromBytes((p + "-" + i).getBytes(StandardCharsets.UTF_8))
                                .toString();
                String line =
                        orderEventJson(
                                id,
                                String.format("2025-11-30T15:%02d:%02dZ", i / 60 % 60, i % 60),
                                "payment_success",
                                "ORD" + i,
                                "USR" + p,
                                i + ".50",
                                p == 0 ? "VND" : "USD",
                                "success");
                lines.add(line);
                unique.add(id);
                if (i % 20 == 0) {
                    lines.add(line); // a duplicate right behind the original
                }
                if (i % 100 == 0) {
                    lines.add("not json " + i);
                    invalid++;
                }
            }
            KAFKA.produceLines(in, p, lines);
        }
        runBoundedStreaming(
                in,
                out,
                events ->
                        events.map(
                                        new FailOnceAfterCheckpoints<OrderEvent>(
                                                "orders-failure", 300, 1))
                                .name("inject failure")
                                .returns(OrderEvent.class),
                "2");

        assertTrue(
                FailOnceAfterCheckpoints.failed("orders-failure"),
                "the injected failure must have happened");
        assertEquals(
                List.of(unique.size() + "|" + unique.size()),
                PG.rows("SELECT count(*), count(DISTINCT id) FROM events_clean"));
        assertEquals(
                List.of(String.valueOf(invalid)), PG.rows("SELECT count(*) FROM invalid_events"));
        List<ConsumerRecord<byte[], byte[]>> published = KAFKA.readAll(out, "read_committed");
        Set<String> publishedIds = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : published) {
            String json = new String(r.value(), StandardCharsets.UTF_8);
            publishedIds.add(json.substring(7, 43));
        }
        assertEquals(unique.size(), published.size(), "no event published twice, none lost");
        assertEquals(unique, publishedIds);
        assertEquals(List.of(), PG.preparedTransactions());
    }

    /** --bounded runs in BATCH execution: both exactly-once sinks commit at the end of input. */
    @Test
    void boundedBatchRunCommitsToPostgresAndKafka() throws Exception {
        String in = KAFKA.createTopic("events_raw", 2);
        String out = KAFKA.createTopic("events_clean", 2);
        String e1 =
                orderEventJson(
                        "55555555-5555-4555-8555-555555555555",
                        "2025-11-30T15:30:00Z",
                        "order_created",
                        "ORD5",
                        "USR5",
                        "7.50",
                        "USD",
                        "pending");
        String e2 =
                orderEventJson(
                        "66666666-6666-4666-8666-666666666666",
                        "2025-11-30T15:30:05Z",
                        "payment_success",
                        "ORD5",
                        "USR5",
                        "7.50",
                        "USD",
                        "success");
        KAFKA.produceLines(in, 0, List.of(e1, e1, "[]"));
        KAFKA.produceLines(in, 1, List.of(e2));
        ParsedArgs args =
                OrdersJob.commandLine()
                        .parse(
                                JobFlags.pointingAt(
                                        KAFKA,
                                        PG,
                                        "--input-topic",
                                        in,
                                        "--output-topic",
                                        out,
                                        "--parallelism",
                                        "2",
                                        "--bounded"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(env, args);
        OrdersJob.JOB.build(env, args);
        env.execute("orders bounded");

        assertEquals(
                List.of(
                        "55555555-5555-4555-8555-555555555555|7.50",
                        "66666666-6666-4666-8666-666666666666|7.50"),
                PG.rows("SELECT id, amount FROM events_clean ORDER BY id"));
        assertEquals(
                List.of("0|2|NOT_AN_OBJECT"),
                PG.rows("SELECT kafka_partition, kafka_offset, error_code FROM invalid_events"));
        assertEquals(
                2,
                KAFKA.readAll(out, "read_committed").size(),
                "both clean events committed to Kafka, once");
        assertEquals(List.of(), PG.preparedTransactions());
    }

    private void runBoundedStreaming(
            String in, String out, UnaryOperator<DataStream<OrderEvent>> hook, String parallelism)
            throws Exception {
        ParsedArgs args =
                OrdersJob.commandLine()
                        .parse(
                                JobFlags.pointingAt(
                                        KAFKA,
                                        PG,
                                        "--input-topic",
                                        in,
                                        "--output-topic",
                                        out,
                                        "--parallelism",
                                        parallelism,
                                        "--bounded"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(env, args);
        // the bounded input in streaming execution: checkpoints commit both sinks, the final one
        // the rest
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.enableCheckpointing(200);
        OrdersJob.write(
                OrdersJob.pipeline(
                        OrdersJob.input(env, args).mapEvents(hook),
                        args.get(OrdersJob.DEDUP_HORIZON)),
                args,
                OrdersJob.JOB.tableSink(args));
        env.execute("orders test");
    }
}
