package dev.flinkpipelines.jobs.drinkshop;

import static dev.flinkpipelines.jobs.drinkshop.DrinkShopFixtures.MENU;
import static dev.flinkpipelines.jobs.drinkshop.DrinkShopFixtures.ORDERS;
import static dev.flinkpipelines.jobs.drinkshop.DrinkShopFixtures.STOCK;
import static dev.flinkpipelines.jobs.drinkshop.DrinkShopFixtures.menu;
import static dev.flinkpipelines.jobs.drinkshop.DrinkShopFixtures.order;
import static dev.flinkpipelines.jobs.drinkshop.DrinkShopFixtures.stock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.events.DrinkOrder;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.JobEnvironment;
import dev.flinkpipelines.testkit.FailOnceAfterCheckpoints;
import dev.flinkpipelines.testkit.FlinkTestCluster;
import dev.flinkpipelines.testkit.JobFlags;
import dev.flinkpipelines.testkit.KafkaExtension;
import dev.flinkpipelines.testkit.PostgresExtension;
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

/** The drink-shop job on a MiniCluster over three real Kafka topics into a real PostgreSQL. */
class DrinkShopJobIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(4);

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

    @BeforeEach
    void cleanTables() throws Exception {
        PG.rollBackPreparedTransactions();
        PG.execute(
                "TRUNCATE order_items_enriched, item_sales_1m, inventory_levels, inventory_alerts, dead_letters");
    }

    @Test
    void everyTableHoldsExactlyWhatTheFixtureImplies() throws Exception {
        Topics t = topics();
        KAFKA.produceLines(t.menu, 0, MENU);
        KAFKA.produceLines(t.inventory, 0, STOCK);
        KAFKA.produceLines(t.orders, 0, ORDERS);

        run(t, UnaryOperator.identity());

        assertEquals(
                List.of(
                        "o1|1|u1|m-1|Trà sữa|milk tea|2|40000.00|80000.00|40000.00|ok|f|f|2025-01-01 10:01:00+00",
                        "o1|2|u1|m-2|Cà phê sữa đá|coffee|1|25000.00|25000.00|25000.00|ok|f|f|2025-01-01 10:01:00+00",
                        "o2|1|u2|m-1|Trà sữa|milk tea|3|40000.00|120000.00|45000.00|ok|t|f|2025-01-01 10:02:30+00",
                        "o3|1|u3|m-2|null|null|1|25000.00|25000.00|null|deleted|f|t|2025-01-01 10:03:30+00",
                        "o3|2|u3|m-9|null|null|1|10000.00|10000.00|null|unknown|f|t|2025-01-01 10:03:30+00",
                        "o4|1|u1|m-1|Trà sữa|milk tea|8|45000.00|360000.00|45000.00|ok|f|f|2025-01-01 10:04:00+00"),
                PG.rows(
                        "SELECT order_id, line_no, user_id, menu_id, name, category, qty, unit_price, line_total, menu_price,"
                                + " menu_status, price_mismatch, order_total_mismatch, created_at FROM order_items_enriched ORDER BY 1, 2"));
        assertEquals(
                List.of(
                        "2025-01-01 10:01:00+00|m-1|2|80000.00",
                                "2025-01-01 10:01:00+00|m-2|1|25000.00",
                        "2025-01-01 10:02:00+00|m-1|3|120000.00",
                                "2025-01-01 10:03:00+00|m-2|1|25000.00",
                        "2025-01-01 10:03:00+00|m-9|1|10000.00",
                                "2025-01-01 10:04:00+00|m-1|8|360000.00"),
                PG.rows(
                        "SELECT window_start, menu_id, qty, revenue FROM item_sales_1m ORDER BY 1, 2"));
        assertEquals(
                List.of(
                        "m-1|7|2025-01-01 10:04:00+00",
                        "m-2|10|2025-01-01 10:03:30+00",
                        "m-9|-1|2025-01-01 10:03:30+00"),
                PG.rows("SELECT menu_id, stock, as_of FROM inventory_levels ORDER BY 1"));
        assertEquals(
                List.of(
                        "m-1|1|7|10|2025-01-01 10:04:00+00|order o4#1",
                        "m-9|1|-1|10|2025-01-01 10:03:30+00|order o3#2"),
                PG.rows(
                        "SELECT menu_id, alert_no, stock, threshold, event_time, triggered_by FROM inventory_alerts ORDER BY 1"),
                "m-2 ends at exactly the threshold (10): not below, no alert");
        assertEquals(
                List.of(
                        "INVALID_VALUE|" + t.menu,
                        "OUT_OF_RANGE|" + t.orders,
                        "WRONG_TYPE|" + t.inventory),
                PG.rows(
                        "SELECT error_code, kafka_topic FROM dead_letters WHERE job_name = 'drink-shop' ORDER BY 1"));
        // a deleted item keeps its last known name; an item never on the menu has none
        assertEquals(
                List.of(
                        "m-1|Trà sữa|13|560000.00",
                        "m-2|Cà phê sữa đá|2|50000.00",
                        "m-9|null|1|10000.00"),
                PG.rows(
                        "SELECT menu_id, name, qty, revenue FROM top_items_since('2025-01-01 10:00:00+00')"));
        assertEquals(
                List.of("2025-01-01 10:00:00+00|4|155000.00"),
                PG.rows("SELECT * FROM v_avg_order_value"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void failureMidStreamLosesAndDoublesNothing() throws Exception {
        Topics t = topics();
        List<String> menus = new ArrayList<>();
        List<String> restocks = new ArrayList<>();
        long[] stock = new long[5];
        for (int m = 0; m < 5; m++) {
            menus.add(
                    menu(
                            "m-" + m,
                            "create",
                            "Món " + m,
                            "tea",
                            String.valueOf(20000 + 1000 * m),
                            "09:00:00"));
            restocks.add(stock("m-" + m, 500, "restock", "09:00:00"));
            stock[m] = 500;
        }
        // every price rises at 10:03: lines from then on must be joined with the new version (their
        // order still carries the old price, so they are flagged), also when the failure and
        // restore
        // fall between the two versions
        for (int m = 0; m < 5; m++) {
            menus.add(
                    menu(
                            "m-" + m,
                            "update",
                            "Món " + m,
                            "tea",
                            String.valueOf(20500 + 1000 * m),
                            "10:03:00"));
        }
        Random random = new Random(5);
        List<String> orders = new ArrayList<>();
        int lines = 0;
        int pricedAfterTheRise = 0;
        long qty = 0;
        for (int i = 0; i < 400; i++) {
            int m = random.nextInt(5);
            int q = 1 + random.nextInt(3);
            String time = String.format("10:%02d:%02d", i / 60, i % 60);
            orders.add(
                    order(
                            "o" + i,
                            "u" + (i % 7),
                            time,
                            String.valueOf((20000 + 1000 * m) * q),
                            "m-" + m,
                            q,
                            String.valueOf(20000 + 1000 * m)));
            lines++;
            pricedAfterTheRise += i >= 180 ? 1 : 0;
            qty += q;
            stock[m] -= q;
        }
        KAFKA.produceLines(t.menu, 0, menus);
        KAFKA.produceLines(t.inventory, 0, restocks);
        KAFKA.produceLines(t.orders, 0, orders);

        run(
                t,
                events ->
                        events.map(
                                        new FailOnceAfterCheckpoints<DrinkOrder>(
                                                "drink-shop-failure", 100, 4))
                                .name("inject failure")
                                .returns(DrinkOrder.class));

        assertTrue(
                FailOnceAfterCheckpoints.failed("drink-shop-failure"),
                "the injected failure must have happened");
        assertEquals(
                List.of(lines + "|" + qty),
                PG.rows("SELECT count(*), sum(qty) FROM order_items_enriched"));
        assertEquals(List.of(String.valueOf(qty)), PG.rows("SELECT sum(qty) FROM item_sales_1m"));
        assertEquals(
                List.of(String.valueOf(pricedAfterTheRise)),
                PG.rows("SELECT count(*) FROM order_items_enriched WHERE price_mismatch"));
        List<String> expectedStock = new ArrayList<>();
        for (int m = 0; m < 5; m++) {
            expectedStock.add("m-" + m + "|" + stock[m]);
        }
        assertEquals(
                expectedStock, PG.rows("SELECT menu_id, stock FROM inventory_levels ORDER BY 1"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    // ---- fixtures -----------------------------------------------------------------------------

    private record Topics(String orders, String menu, String inventory) {}

    private static Topics topics() {
        return new Topics(
                KAFKA.createTopic("orders", 1),
                KAFKA.createTopic("menu_updates", 1),
                KAFKA.createTopic("inventory_events", 1));
    }

    private void run(Topics t, UnaryOperator<DataStream<DrinkOrder>> hook) throws Exception {
        ParsedArgs args =
                DrinkShopJob.commandLine()
                        .parse(
                                JobFlags.pointingAt(
                                        KAFKA,
                                        PG,
                                        "--orders-topic",
                                        t.orders,
                                        "--menu-topic",
                                        t.menu,
                                        "--inventory-topic",
                                        t.inventory,
                                        "--parallelism",
                                        "2",
                                        "--bounded"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(env, args);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.enableCheckpointing(150);
        DrinkShopJob.Inputs in = DrinkShopJob.Inputs.fromKafka(env, args);
        DrinkShopJob.JOB
                .tableSink(args)
                .write(
                        DrinkShopJob.pipeline(
                                in.menu(),
                                in.orders().mapEvents(hook),
                                in.inventory(),
                                args.get(DrinkShopJob.ALERT_THRESHOLD),
                                args.get(DrinkShopJob.ALLOWED_LATENESS)));
        env.execute("drink-shop test");
    }
}
