package dev.flinkpipelines.jobs.drinkshop;

import static dev.flinkpipelines.jobs.drinkshop.DrinkShopFixtures.MENU;
import static dev.flinkpipelines.jobs.drinkshop.DrinkShopFixtures.ORDERS;
import static dev.flinkpipelines.jobs.drinkshop.DrinkShopFixtures.STOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.events.DrinkOrder;
import dev.flinkpipelines.common.events.InventoryEvent;
import dev.flinkpipelines.common.events.MenuUpdate;
import dev.flinkpipelines.common.parse.DrinkOrderParser;
import dev.flinkpipelines.common.parse.InventoryEventParser;
import dev.flinkpipelines.common.parse.MenuUpdateParser;
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
 * The job's pipeline on three lists of records, without Kafka or PostgreSQL: menu versions, a
 * deleted and an unknown item, price and total mismatches, stock crossing the alert threshold, and
 * an invalid record per topic. The three inputs interleave differently from run to run, so the
 * upsert tables are checked by their last version per key — which event time alone decides.
 * (Against the real services, with failures: DrinkShopJobIT.)
 */
class DrinkShopPipelineTest {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(1);

    private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);

    @Test
    void everyTableForMenuVersionsStockAndInvalidRecords() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        CollectedTables tables = new CollectedTables();
        tables.write(
                DrinkShopJob.pipeline(
                        InMemoryInput.of(
                                env,
                                DrinkShopJob.NAME,
                                "menu_updates",
                                new MenuUpdateParser(),
                                MenuUpdate.class,
                                OUT_OF_ORDERNESS,
                                MENU),
                        InMemoryInput.of(
                                env,
                                DrinkShopJob.NAME,
                                "orders",
                                new DrinkOrderParser(),
                                DrinkOrder.class,
                                OUT_OF_ORDERNESS,
                                ORDERS),
                        InMemoryInput.of(
                                env,
                                DrinkShopJob.NAME,
                                "inventory_events",
                                new InventoryEventParser(),
                                InventoryEvent.class,
                                OUT_OF_ORDERNESS,
                                STOCK),
                        10,
                        Duration.ofMinutes(1)));
        tables.run(env, "drink-shop pipeline");

        assertEquals(
                List.of(
                        "o1|1|u1|m-1|Trà sữa|2|40000.00|80000.00|40000.00|ok|false|false",
                        "o1|2|u1|m-2|Cà phê sữa đá|1|25000.00|25000.00|25000.00|ok|false|false",
                        "o2|1|u2|m-1|Trà sữa|3|40000.00|120000.00|45000.00|ok|true|false",
                        "o3|1|u3|m-2|null|1|25000.00|25000.00|null|deleted|false|true",
                        "o3|2|u3|m-9|null|1|10000.00|10000.00|null|unknown|false|true",
                        "o4|1|u1|m-1|Trà sữa|8|45000.00|360000.00|45000.00|ok|false|false"),
                tables
                        .rows(
                                "order_items_enriched",
                                "order_id",
                                "line_no",
                                "user_id",
                                "menu_id",
                                "name",
                                "qty",
                                "unit_price",
                                "line_total",
                                "menu_price",
                                "menu_status",
                                "price_mismatch",
                                "order_total_mismatch")
                        .stream()
                        .sorted()
                        .toList());
        assertEquals(
                List.of(
                        "2025-01-01T10:01:00Z|m-1|2|80000.00",
                        "2025-01-01T10:01:00Z|m-2|1|25000.00",
                        "2025-01-01T10:02:00Z|m-1|3|120000.00",
                        "2025-01-01T10:03:00Z|m-2|1|25000.00",
                        "2025-01-01T10:03:00Z|m-9|1|10000.00",
                        "2025-01-01T10:04:00Z|m-1|8|360000.00"),
                tables.latest("item_sales_1m", "window_start", "menu_id", "qty", "revenue"));
        assertEquals(
                List.of(
                        "m-1|7|2025-01-01T10:04:00Z",
                        "m-2|10|2025-01-01T10:03:30Z",
                        "m-9|-1|2025-01-01T10:03:30Z"),
                tables.latest("inventory_levels", "menu_id", "stock", "as_of"));
        assertEquals(
                List.of(
                        "m-1|1|7|10|2025-01-01T10:04:00Z|order o4#1",
                        "m-9|1|-1|10|2025-01-01T10:03:30Z|order o3#2"),
                tables
                        .rows(
                                "inventory_alerts",
                                "menu_id",
                                "alert_no",
                                "stock",
                                "threshold",
                                "event_time",
                                "triggered_by")
                        .stream()
                        .sorted()
                        .toList(),
                "m-2 ends at exactly the threshold (10): not below, no alert");
        assertEquals(
                List.of(
                        "INVALID_VALUE|menu_updates|4",
                        "OUT_OF_RANGE|orders|4",
                        "WRONG_TYPE|inventory_events|2"),
                tables.rows("dead_letters", "error_code", "kafka_topic", "kafka_offset").stream()
                        .sorted()
                        .toList());
    }
}
