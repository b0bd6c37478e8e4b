package dev.flinkpipelines.jobs.kpi;

import static dev.flinkpipelines.generator.OrderEventRecords.orderEventJson;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.parse.OrderEventParser;
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
 * The job's pipeline on a list of clean events, without Kafka or PostgreSQL: two currencies, an
 * invalid record, a late event within the allowed lateness and one beyond it; every kpi_1m version
 * and late_events row it hands its sink. (Against the real services, over the orders job's output:
 * KpiJobIT.)
 */
class KpiPipelineTest {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(1);

    @Test
    void everyKpiVersionAndEveryLateEvent() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        CollectedTables tables = new CollectedTables();
        tables.write(
                KpiJob.pipeline(
                        InMemoryInput.of(
                                env,
                                KpiJob.NAME,
                                "events_clean",
                                new OrderEventParser(),
                                OrderEvent.class,
                                Duration.ofSeconds(5),
                                List.of(
                                        event(1, "10:00:05", "order_created", "10.00", "USD"),
                                        event(2, "10:00:20", "payment_success", "10.00", "USD"),
                                        event(3, "10:00:30", "payment_success", "50000", "VND"),
                                        "not json",
                                        // the watermark passes 10:01: both 10:00 windows fire
                                        event(4, "10:01:10", "payment_failed", "5.00", "USD"),
                                        // late within 1 min: USD 10:00 fires again
                                        event(5, "10:00:40", "payment_success", "2.50", "USD"),
                                        // the watermark passes 10:02: 10:01 fires, 10:00 closes
                                        event(6, "10:02:30", "payment_success", "1.00", "USD"),
                                        // beyond the allowed lateness: late_events
                                        event(7, "10:00:50", "payment_success", "7.00", "USD"))),
                        Duration.ofMinutes(1)));
        tables.run(env, "kpi pipeline");

        // window|currency|revenue|created|initiated|success|failed|cancelled|avg value|success %
        assertEquals(
                List.of(
                        "2025-11-30T10:00:00Z|USD|10.00|1|0|1|0|0|10.00|100.00",
                        "2025-11-30T10:00:00Z|USD|12.50|1|0|2|0|0|6.25|100.00",
                        "2025-11-30T10:00:00Z|VND|50000.00|0|0|1|0|0|50000.00|100.00",
                        "2025-11-30T10:01:00Z|USD|0.00|0|0|0|1|0|null|0.00",
                        "2025-11-30T10:02:00Z|USD|1.00|0|0|1|0|0|1.00|100.00"),
                tables
                        .rows(
                                "kpi_1m",
                                "window_start",
                                "currency",
                                "revenue",
                                "orders_created",
                                "payments_initiated",
                                "payment_success",
                                "payment_failed",
                                "orders_cancelled",
                                "avg_order_value",
                                "success_rate")
                        .stream()
                        .sorted()
                        .toList());
        assertEquals(
                List.of(
                        "00000000-0000-4000-8000-000000000007|2025-11-30T10:00:00Z"
                                + "|2025-11-30T10:02:24.999Z|94999|0|7"),
                tables.rows(
                        "late_events",
                        "event_id",
                        "window_start",
                        "watermark",
                        "late_by_ms",
                        "kafka_partition",
                        "kafka_offset"));
        assertEquals(
                List.of("kpi|0|3|NOT_JSON"),
                tables.rows(
                        "dead_letters",
                        "job_name",
                        "kafka_partition",
                        "kafka_offset",
                        "error_code"));
    }

    private static String event(int n, String time, String type, String amount, String currency) {
        return orderEventJson(
                "00000000-0000-4000-8000-00000000000" + n,
                "2025-11-30T" + time + "Z",
                type,
                "ORD" + n,
                "USR1",
                amount,
                currency,
                "success");
    }
}
