package dev.flinkpipelines.jobs.kpi;

import static dev.flinkpipelines.jobs.kpi.ExpectedKpis.TYPES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.JobEnvironment;
import dev.flinkpipelines.jobs.orders.OrdersJob;
import dev.flinkpipelines.testkit.FailOnceAfterCheckpoints;
import dev.flinkpipelines.testkit.FlinkTestCluster;
import dev.flinkpipelines.testkit.JobFlags;
import dev.flinkpipelines.testkit.KafkaExtension;
import dev.flinkpipelines.testkit.PostgresExtension;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * From raw events_raw through the orders job's exactly-once output topic to kpi_1m, against values
 * the test computes itself from the raw fixture.
 */
class KpiJobIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(4);

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

    private static final Instant BASE = Instant.parse("2025-11-30T15:00:00Z");

    @BeforeEach
    void cleanTables() throws Exception {
        PG.rollBackPreparedTransactions();
        PG.execute("TRUNCATE events_clean, dead_letters, kpi_1m, late_events");
    }

    @Test
    void kpisFromRawEventsThroughTheOrdersJobMatchAnIndependentComputation() throws Exception {
        String clean = ordersFixtureThroughOrdersJob();
        runKpi(clean, UnaryOperator.identity());
        assertEquals(expectedKpiRows(), PG.rows(KPI_QUERY));
        assertEquals(List.of(), PG.rows("SELECT event_id FROM late_events"));
        // the rolling views (v_kpi_15m / 1h / 24h) are kpi_since(now() - interval): check it at a
        // fixed time
        assertEquals(
                expectedSince(Instant.parse("2025-11-30T15:04:00Z")),
                PG.rows(
                        "SELECT currency, revenue, payment_success, payment_failed FROM kpi_since('2025-11-30 15:04:00+00') ORDER BY 1"));
        assertEquals(
                List.of("0"),
                PG.rows("SELECT count(*) FROM v_kpi_15m"),
                "nothing of 2025 is within the last 15 minutes");
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void aFailureMidStreamDoesNotDoubleCountRevenue() throws Exception {
        String clean = ordersFixtureThroughOrdersJob();
        runKpi(
                clean,
                events ->
                        events.map(new FailOnceAfterCheckpoints<OrderEvent>("kpi-failure", 100, 3))
                                .name("inject failure")
                                .returns(OrderEvent.class));
        assertTrue(
                FailOnceAfterCheckpoints.failed("kpi-failure"),
                "the injected failure must have happened");
        assertEquals(expectedKpiRows(), PG.rows(KPI_QUERY));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    /** --bounded: BATCH execution over the same code gives the same kpi_1m. */
    @Test
    void boundedBatchRunGivesTheSameKpis() throws Exception {
        String clean = ordersFixtureThroughOrdersJob();
        ParsedArgs args = KpiJob.commandLine().parse(connection("--input-topic", clean));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(env, args);
        KpiJob.JOB.build(env, args);
        env.execute("kpi bounded");
        assertEquals(expectedKpiRows(), PG.rows(KPI_QUERY));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    private static final String KPI_QUERY =
            "SELECT window_start, currency, revenue, orders_created, payments_initiated,"
                    + " payment_success, payment_failed, orders_cancelled, avg_order_value, success_rate FROM kpi_1m ORDER BY 1, 2";

    // ---- the fixture and its independent expectation ------------------------------------------

    /**
     * 600 events over 6 minutes, both currencies, every type; plus duplicates and invalid records.
     */
    private static List<String[]> fixture() {
        List<String[]> events = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String id =
                    UUID.nameUUIDFromBytes(("kpi-" + i).getBytes(StandardCharsets.UTF_8))
                            .toString();
            String time = BASE.plusMillis(600L * i).toString();
            String currency = i % 3 == 0 ? "USD" : "VND";
            String amount = BigDecimal.valueOf(i * 3_797L % 100_000, 2).toPlainString();
            events.add(
                    new String[] {
                        id,
                        time,
                        TYPES[i % TYPES.length],
                        "ORD" + (i / 3),
                        "USR" + (i % 17),
                        amount,
                        currency
                    });
        }
        return events;
    }

    private static String json(String[] e) {
        return "{\"id\":\""
                + e[0]
                + "\",\"eventTime\":\""
                + e[1]
                + "\",\"eventType\":\""
                + e[2]
                + "\",\"orderId\":\""
                + e[3]
                + "\",\"userId\":\""
                + e[4]
                + "\",\"amount\":"
                + e[5]
                + ",\"currency\":\""
                + e[6]
                + "\",\"status\":\"success\"}";
    }

    /** What kpi_1m must hold, computed here with plain arithmetic over the unique valid events. */
    private static List<String> expectedKpiRows() {
        ExpectedKpis expected = new ExpectedKpis();
        for (String[] e : fixture()) {
            Instant minute = Instant.parse(e[1]).truncatedTo(ChronoUnit.MINUTES);
            String key = minute.toString().replace("T", " ").replace(":00Z", ":00+00") + "|" + e[6];
            expected.add(key, e[2], new BigDecimal(e[5]));
        }
        return expected.rows();
    }

    /** Per currency since {@code since}: revenue, successful and failed payments. */
    private static List<String> expectedSince(Instant since) {
        TreeMap<String, BigDecimal> revenue = new TreeMap<>();
        TreeMap<String, long[]> payments = new TreeMap<>();
        for (String[] e : fixture()) {
            if (Instant.parse(e[1]).isBefore(since)) {
                continue;
            }
            revenue.merge(
                    e[6],
                    e[2].equals("payment_success") ? new BigDecimal(e[5]) : BigDecimal.ZERO,
                    BigDecimal::add);
            long[] p = payments.computeIfAbsent(e[6], k -> new long[2]);
            p[0] += e[2].equals("payment_success") ? 1 : 0;
            p[1] += e[2].equals("payment_failed") ? 1 : 0;
        }
        List<String> rows = new ArrayList<>();
        revenue.forEach(
                (currency, r) ->
                        rows.add(
                                currency
                                        + "|"
                                        + r.setScale(2).toPlainString()
                                        + "|"
                                        + payments.get(currency)[0]
                                        + "|"
                                        + payments.get(currency)[1]));
        return rows;
    }

    /**
     * Produces the raw fixture (with a copy of every 25th event and junk every 50th), runs the
     * orders job.
     */
    private String ordersFixtureThroughOrdersJob() throws Exception {
        String raw = KAFKA.createTopic("events_raw", 2);
        String clean = KAFKA.createTopic("events_clean", 2);
        List<String> p0 = new ArrayList<>();
        List<String> p1 = new ArrayList<>();
        List<String[]> events = fixture();
        for (int i = 0; i < events.size(); i++) {
            List<String> partition = i % 2 == 0 ? p0 : p1;
            partition.add(json(events.get(i)));
            if (i % 25 == 0) {
                partition.add(json(events.get(i)));
            }
            if (i % 50 == 0) {
                partition.add("{\"id\":\"junk\"}");
            }
        }
        KAFKA.produceLines(raw, 0, p0);
        KAFKA.produceLines(raw, 1, p1);
        ParsedArgs args =
                OrdersJob.commandLine()
                        .parse(connection("--input-topic", raw, "--output-topic", clean));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(env, args);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.enableCheckpointing(200);
        OrdersJob.JOB.build(env, args);
        env.execute("orders for kpi");
        return clean;
    }

    private void runKpi(String clean, UnaryOperator<DataStream<OrderEvent>> hook) throws Exception {
        // events reach events_clean from two dedup subtasks, so a generous out-of-orderness keeps
        // this test about the numbers; lateness itself is tested in KpiWindowTest
        ParsedArgs args =
                KpiJob.commandLine()
                        .parse(connection("--input-topic", clean, "--max-out-of-orderness", "1h"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(env, args);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.enableCheckpointing(150);
        KpiJob.JOB
                .tableSink(args)
                .write(
                        KpiJob.pipeline(
                                KpiJob.input(env, args).mapEvents(hook),
                                args.get(KpiJob.ALLOWED_LATENESS)));
        env.execute("kpi");
    }

    private String[] connection(String... more) {
        List<String> all = new ArrayList<>(List.of("--parallelism", "2", "--bounded"));
        all.addAll(List.of(more));
        return JobFlags.pointingAt(KAFKA, PG, all.toArray(new String[0]));
    }
}
