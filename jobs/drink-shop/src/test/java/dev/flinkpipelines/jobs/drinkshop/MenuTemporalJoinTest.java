package dev.flinkpipelines.jobs.drinkshop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.events.MenuUpdate;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import dev.flinkpipelines.testkit.JobOperators;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The job's event-time temporal join in Flink's keyed two-input operator test harness, also across
 * a restore.
 */
class MenuTemporalJoinTest {

    private KeyedTwoInputStreamOperatorTestHarness<String, MenuUpdate, OrderLine, EnrichedLine>
            harness;

    /** The job's own join operator (uid menu-temporal-join), from a freshly built job. */
    static KeyedTwoInputStreamOperatorTestHarness<String, MenuUpdate, OrderLine, EnrichedLine>
            joinHarness(OperatorSubtaskState restoreFrom) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DrinkShopJob.JOB.build(env, DrinkShopJob.commandLine().parse(new String[0]));
        TwoInputStreamOperator<MenuUpdate, OrderLine, EnrichedLine> join =
                JobOperators.byUid(env, "menu-temporal-join");
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        join, MenuUpdate::menuId, OrderLine::menuId, Types.STRING);
        h.setup();
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    @BeforeEach
    void setUp() throws Exception {
        harness = joinHarness(null);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private void menu(MenuUpdate.Action action, String price, long time) throws Exception {
        menu("m-1", action, price, time);
    }

    private void menu(String menuId, MenuUpdate.Action action, String price, long time)
            throws Exception {
        MenuUpdate u =
                new MenuUpdate(
                        menuId,
                        action,
                        action == MenuUpdate.Action.DELETE ? null : "Trà sữa",
                        action == MenuUpdate.Action.DELETE ? null : "milk tea",
                        price == null ? null : new BigDecimal(price).setScale(2),
                        Instant.ofEpochMilli(time),
                        new SourceCoordinates("menu_updates", 0, time));
        harness.processElement1(new StreamRecord<>(u, time));
    }

    private void order(String orderId, String price, long time) throws Exception {
        order(orderId, "m-1", price, time);
    }

    private void order(String orderId, String menuId, String price, long time) throws Exception {
        OrderLine line =
                new OrderLine(
                        orderId,
                        1,
                        "u1",
                        menuId,
                        2,
                        new BigDecimal(price),
                        Instant.ofEpochMilli(time),
                        false,
                        new SourceCoordinates("orders", 0, time));
        harness.processElement2(new StreamRecord<>(line, time));
    }

    /** Emitted lines as "order|status|menu price|price mismatch". */
    private List<String> out() {
        return harness.extractOutputValues().stream()
                .map(
                        e ->
                                e.line().orderId()
                                        + "|"
                                        + e.menuStatus()
                                        + "|"
                                        + e.menuPrice()
                                        + "|"
                                        + e.priceMismatch())
                .collect(Collectors.toList());
    }

    @Test
    void priceChangeBeforeAndAfterAnOrderInEventTime() throws Exception {
        menu(MenuUpdate.Action.CREATE, "40000", 1_000);
        menu(
                MenuUpdate.Action.UPDATE,
                "50000",
                5_000); // arrives before the order, but takes effect after it
        order("o1", "40000", 3_000);
        order("o2", "40000", 6_000);
        harness.processWatermark1(new Watermark(10_000));
        harness.processWatermark2(new Watermark(10_000));
        assertEquals(
                List.of("o1|ok|40000.00|false", "o2|ok|50000.00|true"),
                out(),
                "each order gets the price valid at its own time, not the latest");
    }

    @Test
    void anOrderWaitsForAMenuUpdateThatPrecedesItButArrivesLater() throws Exception {
        menu(MenuUpdate.Action.CREATE, "40000", 1_000);
        order("o1", "45000", 6_000);
        harness.processWatermark2(new Watermark(10_000));
        harness.processWatermark1(
                new Watermark(4_000)); // the menu stream lags: nothing can be decided yet
        assertEquals(List.of(), out(), "the line waits until the watermark settles its time");
        menu(
                MenuUpdate.Action.UPDATE,
                "45000",
                5_000); // precedes the order in event time, arrives after it
        harness.processWatermark1(new Watermark(10_000));
        assertEquals(List.of("o1|ok|45000.00|false"), out());
    }

    @Test
    void deleteThenRecreate() throws Exception {
        menu(MenuUpdate.Action.CREATE, "40000", 1_000);
        menu(MenuUpdate.Action.DELETE, null, 2_000);
        menu(MenuUpdate.Action.CREATE, "42000", 4_000);
        order("during-delete", "40000", 3_000);
        order("after-recreate", "42000", 5_000);
        harness.processWatermark1(new Watermark(10_000));
        harness.processWatermark2(new Watermark(10_000));
        assertEquals(
                List.of("during-delete|deleted|null|false", "after-recreate|ok|42000.00|false"),
                out());
    }

    @Test
    void anUnknownItemIsFlaggedNotDropped() throws Exception {
        order("o1", "10000", 3_000);
        menu(MenuUpdate.Action.CREATE, "40000", 5_000); // created only after the order
        harness.processWatermark1(new Watermark(10_000));
        harness.processWatermark2(new Watermark(10_000));
        assertEquals(List.of("o1|unknown|null|false"), out());
    }

    @Test
    void aWatermarkJumpOverManyLinesGivesEachLineItsOwnVersion() throws Exception {
        // a quiet menu stream lets the watermark jump over many lines at once: all their timers
        // fire
        // in one go, and pruning for the first line must not take versions the later ones need
        menu(MenuUpdate.Action.CREATE, "40000", 1_000);
        menu(MenuUpdate.Action.UPDATE, "50000", 5_000);
        order("o1", "40000", 3_000);
        order("o2", "40000", 4_000);
        order("o3", "50000", 6_000);
        harness.processWatermark1(new Watermark(10_000));
        harness.processWatermark2(new Watermark(10_000));
        assertEquals(
                List.of("o1|ok|40000.00|false", "o2|ok|40000.00|false", "o3|ok|50000.00|false"),
                out());
    }

    @Test
    void versionsTheWatermarkMadeUnreachableArePruned() throws Exception {
        menu(MenuUpdate.Action.CREATE, "1", 1_000);
        menu(MenuUpdate.Action.UPDATE, "2", 2_000);
        menu(MenuUpdate.Action.UPDATE, "3", 3_000);
        order("o1", "3", 3_500);
        harness.processWatermark1(new Watermark(10_000));
        harness.processWatermark2(new Watermark(10_000));
        assertEquals(List.of("o1|ok|3.00|false"), out());
        // only the newest version survives and no line waits: one state entry for the one key
        assertEquals(1, harness.numKeyedStateEntries());
    }

    @Test
    void aLineWaitingAtARestoreIsSettledAtTheRestoredWatermarkWithTheVersionValidAtItsTime()
            throws Exception {
        menu(MenuUpdate.Action.CREATE, "40000", 1_000);
        harness.processBothWatermarks(new Watermark(6_000));
        order("o1", "40000", 5_000); // arrives after the watermark passed its time: due
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = joinHarness(snapshot);
        // the menu stream is quiet after the restore; the first element is another item's
        menu("m-2", MenuUpdate.Action.CREATE, "30000", 2_000);
        assertEquals(
                List.of("o1|ok|40000.00|false"),
                out(),
                "settled at the watermark reached before the failure");
        order("o2", "m-2", "30000", 7_000);
        harness.processBothWatermarks(new Watermark(8_000));
        assertEquals(
                List.of("o1|ok|40000.00|false", "o2|ok|30000.00|false"),
                out(),
                "m-2's update was stored under its own key, not under the key of the line settled before it");
    }

    @Test
    void endOfBothInputsSettlesEveryWaitingLine() throws Exception {
        menu(MenuUpdate.Action.CREATE, "40000", 1_000);
        order("o1", "40000", 3_000);
        harness.processWatermark2(new Watermark(5_000)); // the menu input never sent one (idle)
        harness.endInput2();
        assertEquals(List.of(), out(), "the menu input may still hold event time back");
        harness.endInput1(); // drain: both inputs ended
        assertEquals(List.of("o1|ok|40000.00|false"), out());
    }
}
