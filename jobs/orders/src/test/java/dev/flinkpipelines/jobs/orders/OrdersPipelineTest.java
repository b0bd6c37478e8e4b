package dev.flinkpipelines.jobs.orders;

import static dev.flinkpipelines.generator.OrderEventRecords.orderEventJson;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.parse.OrderEventParser;
import dev.flinkpipelines.testkit.FlinkTestCluster;
import dev.flinkpipelines.testkit.pipeline.CollectedTables;
import dev.flinkpipelines.testkit.pipeline.InMemoryInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job's pipeline on a list of records, without Kafka or PostgreSQL: valid, invalid and
 * duplicate events, a copy within the dedup horizon and one beyond it; the rows it hands its table
 * sink and the events it publishes. (Against the real services: OrdersJobIT.)
 */
class OrdersPipelineTest {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(1);

    private static final String E1 =
            event("11111111-1111-4111-8111-111111111111", "15:30:00", "order_created", "100.00");
    private static final String E2 =
            event("22222222-2222-4222-8222-222222222222", "15:30:10", "payment_success", "100");
    private static final String E3 =
            event("33333333-3333-4333-8333-333333333333", "15:31:00", "order_created", "19.99");
    private static final String E4 =
            event("44444444-4444-4444-8444-444444444444", "15:40:00", "payment_failed", "19.99");

    @Test
    void keepsTheFirstOfEachIdWithinTheHorizonAndRejectsInvalidRecords() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        OrdersJob.Output output =
                OrdersJob.pipeline(
                        InMemoryInput.of(
                                env,
                                OrdersJob.NAME,
                                "events_raw",
                                new OrderEventParser(),
                                OrderEvent.class,
                                Duration.ofSeconds(5),
                                List.of(
                                        E1,
                                        E2,
                                        E1, // a copy: dropped
                                        E1.replace("100.00", "12.345"), // invalid, not a copy
                                        "{oops",
                                        E3,
                                        E3.replace("15:31:00", "15:29:00"), // same id, other time
                                        E4, // the watermark passes 15:30 + 5 min: E1 is forgotten
                                        E1)), // beyond the horizon: passes as new
                        Duration.ofMinutes(5));
        CloseableIterator<OrderEvent> published = output.clean().collectAsync();
        CollectedTables tables = new CollectedTables();
        tables.write(output.tables());
        tables.run(env, "orders pipeline");

        assertEquals(
                List.of(
                        "11111111-1111-4111-8111-111111111111|2025-11-30T15:30:00Z|order_created|100.00|0|0",
                        "22222222-2222-4222-8222-222222222222|2025-11-30T15:30:10Z|payment_success|100.00|0|1",
                        "33333333-3333-4333-8333-333333333333|2025-11-30T15:31:00Z|order_created|19.99|0|5",
                        "44444444-4444-4444-8444-444444444444|2025-11-30T15:40:00Z|payment_failed|19.99|0|7",
                        "11111111-1111-4111-8111-111111111111|2025-11-30T15:30:00Z|order_created|100.00|0|8"),
                tables.rows(
                        "events_clean",
                        "id",
                        "event_time",
                        "event_type",
                        "amount",
                        "kafka_partition",
                        "kafka_offset"));
        assertEquals(
                List.of("0|3|INVALID_VALUE", "0|4|NOT_JSON"),
                tables.rows("dead_letters", "kafka_partition", "kafka_offset", "error_code"));
        List<String> publishedOffsets = new ArrayList<>();
        published.forEachRemaining(e -> publishedOffsets.add(e.source().offset() + ""));
        assertEquals(
                List.of("0", "1", "5", "7", "8"),
                publishedOffsets,
                "the Kafka output carries exactly the events_clean rows");
    }

    private static String event(String id, String time, String type, String amount) {
        return orderEventJson(
                id, "2025-11-30T" + time + "Z", type, "ORD1", "USR1", amount, "USD", "success");
    }
}
