package dev.flinkpipelines.jobs.drinkshop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableRowTypeInfo;
import dev.flinkpipelines.common.time.CheckpointedWatermark;
import dev.flinkpipelines.common.time.EventTimeProcessOperator;
import dev.flinkpipelines.testkit.FlinkTestCluster;
import dev.flinkpipelines.testkit.JobOperators;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stock per item in event-time order, and exactly one alert per crossing below the threshold. */
class StockKeeperTest {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(1);

    private static KeyedOneInputStreamOperatorTestHarness<String, StockChange, TableRow> harness()
            throws Exception {
        return harness(null);
    }

    /** The job's own stock keeper (uid stock-keeper, threshold 10), from a freshly built job. */
    private static KeyedOneInputStreamOperatorTestHarness<String, StockChange, TableRow> harness(
            OperatorSubtaskState restoreFrom) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DrinkShopJob.JOB.build(
                env,
                DrinkShopJob.commandLine().parse(new String[] {"--stock-alert-threshold", "10"}));
        OneInputStreamOperator<StockChange, TableRow> keeper =
                JobOperators.byUid(env, "stock-keeper");
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        keeper, StockChange::menuId, Types.STRING);
        h.setup();
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    private static void change(
            KeyedOneInputStreamOperatorTestHarness<String, StockChange, TableRow> h,
            int delta,
            long time)
            throws Exception {
        h.processElement(new StreamRecord<>(new StockChange("m-1", delta, time, "t" + time), time));
    }

    private static List<String> rows(
            KeyedOneInputStreamOperatorTestHarness<String, StockChange, TableRow> h, String table) {
        return h.extractOutputValues().stream()
                .filter(r -> r.table().equals(table))
                .map(
                        r ->
                                table.equals("inventory_alerts")
                                        ? r.value(1) + "|" + r.value(2) + "|" + r.value(5)
                                        : String.valueOf(r.value(1)))
                .collect(Collectors.toList());
    }

    @Test
    void oneAlertPerCrossingNotOnePerEventBelow() throws Exception {
        try (var h = harness()) {
            change(h, 20, 1_000); // 20
            change(h, -8, 2_000); // 12
            change(h, -3, 3_000); // 9  -> crossing: alert 1
            change(h, -2, 4_000); // 7  still below: no alert
            change(h, -1, 5_000); // 6  still below: no alert
            change(h, 10, 6_000); // 16 back above: re-armed
            change(h, -7, 7_000); // 9  -> crossing again: alert 2
            h.processWatermark(10_000);
            assertEquals(List.of("1|9|t3000", "2|9|t7000"), rows(h, "inventory_alerts"));
            assertEquals(
                    List.of("9"),
                    rows(h, "inventory_levels"),
                    "one level per watermark: the stock it settled at");
        }
    }

    @Test
    void eachWatermarkShowsTheStockSettledAtIt() throws Exception {
        // The level row is an upsert per item: a row per change would be overwritten by the next
        // change the same watermark settles, so only the last is emitted (BATCH settles a whole
        // item's history at once). What a watermark settles is shown when it passes, not later.
        try (var h = harness()) {
            change(h, 20, 1_000);
            change(h, -8, 2_000);
            change(h, -3, 3_000);
            change(h, 5, 9_000); // after the first watermark: waits
            h.processWatermark(2_500);
            assertEquals(List.of("12"), rows(h, "inventory_levels"));
            h.processWatermark(3_000);
            assertEquals(List.of("12", "9"), rows(h, "inventory_levels"));
            h.processWatermark(10_000);
            assertEquals(List.of("12", "9", "14"), rows(h, "inventory_levels"));
            assertEquals(List.of("1|9|t3000"), rows(h, "inventory_alerts"));
        }
    }

    @Test
    void changesApplyInEventTimeOrderWhateverTheirArrivalOrder() throws Exception {
        try (var h = harness()) {
            change(h, -15, 2_000); // a sale that arrives first ...
            change(h, 30, 1_000); // ... after a restock that happened before it
            h.processWatermark(10_000);
            assertEquals(List.of("15"), rows(h, "inventory_levels"));
            assertEquals(
                    List.of(),
                    rows(h, "inventory_alerts"),
                    "in event time the stock never went below 10");
        }
    }

    @Test
    void changesAtTheSameInstantGiveTheSameAlertsInWhateverOrderTheyArrive() throws Exception {
        List<List<String>> alertsPerArrivalOrder = new java.util.ArrayList<>();
        for (List<Integer> arrival :
                List.of(List.of(-8, 5, -4), List.of(5, -4, -8), List.of(-4, -8, 5))) {
            try (var h = harness()) {
                change(h, 15, 1_000);
                for (int delta : arrival) {
                    h.processElement(
                            new StreamRecord<>(
                                    new StockChange("m-1", delta, 2_000, "c" + delta), 2_000));
                }
                h.processWatermark(10_000);
                alertsPerArrivalOrder.add(rows(h, "inventory_alerts"));
            }
        }
        // 15 + 5 = 20, -4 = 16, -8 = 8: one crossing, by the last sale
        assertEquals(List.of("1|8|c-8"), alertsPerArrivalOrder.get(0));
        assertEquals(alertsPerArrivalOrder.get(0), alertsPerArrivalOrder.get(1));
        assertEquals(alertsPerArrivalOrder.get(0), alertsPerArrivalOrder.get(2));
    }

    @Test
    void aChangeWaitingAtARestoreIsAppliedAtTheRestoredWatermarkBeforeLaterOnes() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            change(h, 20, 1_000);
            h.processWatermark(5_000);
            change(h, -15, 4_000); // arrives after the watermark passed its time: due
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(snapshot)) {
            h.processElement(
                    new StreamRecord<>(
                            new StockChange("m-2", 50, 6_000, "t6000"),
                            6_000)); // another item first
            assertEquals(
                    List.of("5"),
                    rows(h, "inventory_levels"),
                    "settled at the watermark reached before the failure");
            assertEquals(List.of("1|5|t4000"), rows(h, "inventory_alerts"));
            change(h, 30, 6_500);
            h.processWatermark(7_000);
            assertEquals(
                    List.of("5", "50", "35"),
                    rows(h, "inventory_levels"),
                    "m-2's change applied to m-2, in event-time order");
            change(h, -1, 8_000);
            change(h, -1, 9_000);
            h.processWatermark(9_500);
            assertEquals(
                    List.of("5", "50", "35", "33"),
                    rows(h, "inventory_levels"),
                    "settled together, shown once");
        }
    }

    @Test
    void batchExecutionShowsEachItemsFinalStockOnce() throws Exception {
        // BATCH fires an item's timers at the end of its key with the timer service quiesced: a
        // timer registered then is dropped, so the last change must show the level itself
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(1);
        List<TableRow> rows =
                env.fromData(
                                TypeInformation.of(StockChange.class),
                                new StockChange("m-1", 20, 1_000, "a"),
                                new StockChange("m-2", 5, 1_500, "b"),
                                new StockChange("m-1", -8, 2_000, "c"),
                                new StockChange("m-1", -3, 3_000, "d"),
                                new StockChange("m-2", 30, 2_500, "e"),
                                new StockChange("m-1", 1, 3_000, "f"))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<StockChange>noWatermarks()
                                        .withTimestampAssigner((c, t) -> c.eventTime()))
                        .keyBy(StockChange::menuId, Types.STRING)
                        .transform(
                                "stock",
                                TableRowTypeInfo.INSTANCE,
                                new EventTimeProcessOperator<>(
                                        new StockKeeper(10),
                                        CheckpointedWatermark.EndOfInput.FIRE_ALL_TIMERS))
                        .executeAndCollect(100);
        assertEquals(
                List.of("m-1|10|1970-01-01T00:00:03Z", "m-2|35|1970-01-01T00:00:02.500Z"),
                rows.stream()
                        .filter(r -> r.table().equals("inventory_levels"))
                        .map(r -> r.value(0) + "|" + r.value(1) + "|" + r.value(2))
                        .sorted()
                        .collect(Collectors.toList()));
        assertEquals(
                List.of("m-2"),
                rows.stream()
                        .filter(r -> r.table().equals("inventory_alerts"))
                        .map(r -> String.valueOf(r.value(0)))
                        .collect(Collectors.toList()),
                "m-2 starts below 10: one alert");
    }

    @Test
    void endOfInputAppliesEveryWaitingChange() throws Exception {
        try (var h = harness()) {
            change(h, 20, 1_000);
            change(h, -15, 2_000);
            h.processWatermark(1_500);
            h.endInput(); // drain after the inputs went idle: no final watermark arrives
            assertEquals(List.of("20", "5"), rows(h, "inventory_levels"));
            assertEquals(List.of("1|5|t2000"), rows(h, "inventory_alerts"));
        }
    }
}
