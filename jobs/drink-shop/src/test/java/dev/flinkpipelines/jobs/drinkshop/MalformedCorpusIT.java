package dev.flinkpipelines.jobs.drinkshop;

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
import java.math.BigDecimal;
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
 * The malformed-input corpora of all three drink-shop topics (README, Tests) through the job at
 * once, on a MiniCluster with real Kafka and PostgreSQL, each interleaved with valid records: every
 * corpus record is a dead letter exactly once with its exact bytes and coordinates, every valid
 * menu entry, stock movement and order shows in the tables, and the job finishes without a single
 * failure or restart.
 */
class MalformedCorpusIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(4);

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

    private static final int ITEMS = 40;
    private static final int ORDERS = 200;
    private static final Instant MENU_TIME = Instant.parse("2025-01-01T10:00:00Z");
    private static final DateTimeFormatter PG_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssx").withZone(ZoneOffset.UTC);

    @Test
    void everyMalformedRecordIsADeadLetterAndTheJobNeitherFailsNorRestarts(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        // the menu changelog is best kept at one partition (README); the others get two
        String menuTopic = KAFKA.createTopic("menu_updates", 1);
        String inventoryTopic = KAFKA.createTopic("inventory_events", 2);
        String ordersTopic = KAFKA.createTopic("orders", 2);
        ProducedCorpus menu =
                ProducedCorpus.produce(
                        KAFKA,
                        menuTopic,
                        1,
                        MalformedCorpus.generate(ContractSchemas.MENU_UPDATES),
                        menuEntries());
        ProducedCorpus inventory =
                ProducedCorpus.produce(
                        KAFKA,
                        inventoryTopic,
                        2,
                        MalformedCorpus.generate(ContractSchemas.INVENTORY_EVENTS),
                        restocks());
        ProducedCorpus orders =
                ProducedCorpus.produce(
                        KAFKA,
                        ordersTopic,
                        2,
                        MalformedCorpus.generate(ContractSchemas.DRINK_ORDERS),
                        orders());

        // --bounded ends the input at the offsets present at start; run in streaming execution, the
        // production path (checkpoints, a commit per checkpoint, restarts on failure)
        ParsedArgs args =
                DrinkShopJob.commandLine()
                        .parse(
                                JobRunProof.boundedFlags(
                                        KAFKA,
                                        PG,
                                        "--orders-topic",
                                        ordersTopic,
                                        "--menu-topic",
                                        menuTopic,
                                        "--inventory-topic",
                                        inventoryTopic));
        JobRunProof.runBoundedInStreamingWithoutRestart(
                cluster, env -> DrinkShopJob.JOB.build(env, args), "drink-shop malformed corpus");
        DeadLetterAssertions.assertExactlyTheCorpus(PG, "drink-shop", menu, inventory, orders);
        assertEquals(
                expectedLines(orders),
                PG.rows(
                        "SELECT order_id, line_no, user_id, menu_id, name, category, qty, unit_price,"
                                + " line_total, menu_price, menu_status, price_mismatch, order_total_mismatch, created_at, kafka_partition, kafka_offset"
                                + " FROM order_items_enriched ORDER BY kafka_partition, kafka_offset, line_no"));
        assertEquals(
                expectedStock(),
                PG.rows("SELECT menu_id, stock, as_of FROM inventory_levels ORDER BY menu_id"));
        assertEquals(
                List.of(),
                PG.rows("SELECT menu_id FROM inventory_alerts"),
                "stock never falls below 10");
        assertEquals(
                expectedSales(),
                PG.rows(
                        "SELECT window_start, menu_id, qty, revenue FROM item_sales_1m ORDER BY window_start, menu_id"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    // ---- valid records: one menu entry and one restock per item, orders of one line each
    // ----------

    private static String item(int k) {
        return String.format("m-%02d", k);
    }

    private static BigDecimal price(int k) {
        return BigDecimal.valueOf(20_000 + 500 * k).setScale(2);
    }

    private static int restock(int k) {
        return 1_000 + k;
    }

    /** Order i: item i % ITEMS, quantity 1..3 at the menu price, one second after order i - 1. */
    private static int itemOf(int i) {
        return i % ITEMS;
    }

    private static int qty(int i) {
        return 1 + i % 3;
    }

    private static Instant orderTime(int i) {
        return MENU_TIME.plusSeconds(60 + i);
    }

    private static List<byte[]> menuEntries() {
        List<byte[]> records = new ArrayList<>();
        for (int k = 0; k < ITEMS; k++) {
            records.add(
                    utf8(
                            "{\"menu_id\":\""
                                    + item(k)
                                    + "\",\"action\":\"create\",\"name\":\"M\u00f3n "
                                    + k
                                    + "\",\"category\":\"tea\",\"price\":"
                                    + price(k).toPlainString()
                                    + ",\"timestamp\":\""
                                    + MENU_TIME
                                    + "\"}"));
        }
        return records;
    }

    private static List<byte[]> restocks() {
        List<byte[]> records = new ArrayList<>();
        for (int k = 0; k < ITEMS; k++) {
            records.add(
                    utf8(
                            "{\"menu_id\":\""
                                    + item(k)
                                    + "\",\"delta\":"
                                    + restock(k)
                                    + ",\"reason\":\"restock\",\"timestamp\":\""
                                    + MENU_TIME
                                    + "\"}"));
        }
        return records;
    }

    private static List<byte[]> orders() {
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            BigDecimal price = price(itemOf(i));
            records.add(
                    utf8(
                            "{\"order_id\":\"o-"
                                    + i
                                    + "\",\"user_id\":\"u-"
                                    + (i % 9)
                                    + "\",\"items\":[{\"menu_id\":\""
                                    + item(itemOf(i))
                                    + "\",\"qty\":"
                                    + qty(i)
                                    + ",\"price\":"
                                    + price.toPlainString()
                                    + "}],\"total\":"
                                    + price.multiply(BigDecimal.valueOf(qty(i))).toPlainString()
                                    + ",\"created_at\":\""
                                    + orderTime(i)
                                    + "\"}"));
        }
        return records;
    }

    // ---- what the tables must hold -------------------------------------------------------------

    private static List<String> expectedLines(ProducedCorpus orders) {
        Map<Long, String> byCoordinates = new TreeMap<>();
        for (int i = 0; i < ORDERS; i++) {
            Landed<byte[]> o = orders.valid().get(i);
            int k = itemOf(i);
            byCoordinates.put(
                    ((long) o.partition() << 40) + o.offset(),
                    "o-"
                            + i
                            + "|1|u-"
                            + (i % 9)
                            + "|"
                            + item(k)
                            + "|M\u00f3n "
                            + k
                            + "|tea|"
                            + qty(i)
                            + "|"
                            + price(k).toPlainString()
                            + "|"
                            + price(k).multiply(BigDecimal.valueOf(qty(i))).toPlainString()
                            + "|"
                            + price(k).toPlainString()
                            + "|ok|f|f|"
                            + PG_TIME.format(orderTime(i))
                            + "|"
                            + o.partition()
                            + "|"
                            + o.offset());
        }
        return new ArrayList<>(byCoordinates.values());
    }

    /** Each item's restock less its sales, as of its last sale. */
    private static List<String> expectedStock() {
        List<String> rows = new ArrayList<>();
        for (int k = 0; k < ITEMS; k++) {
            long stock = restock(k);
            Instant asOf = MENU_TIME;
            for (int i = 0; i < ORDERS; i++) {
                if (itemOf(i) == k) {
                    stock -= qty(i);
                    asOf = orderTime(i);
                }
            }
            rows.add(item(k) + "|" + stock + "|" + PG_TIME.format(asOf));
        }
        return rows;
    }

    private static List<String> expectedSales() {
        Map<String, long[]> qty = new TreeMap<>();
        Map<String, BigDecimal> revenue = new TreeMap<>();
        for (int i = 0; i < ORDERS; i++) {
            String key =
                    PG_TIME.format(orderTime(i).truncatedTo(ChronoUnit.MINUTES))
                            + "|"
                            + item(itemOf(i));
            qty.computeIfAbsent(key, x -> new long[1])[0] += qty(i);
            revenue.merge(
                    key, price(itemOf(i)).multiply(BigDecimal.valueOf(qty(i))), BigDecimal::add);
        }
        List<String> rows = new ArrayList<>();
        qty.forEach(
                (key, n) -> rows.add(key + "|" + n[0] + "|" + revenue.get(key).toPlainString()));
        return rows;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
