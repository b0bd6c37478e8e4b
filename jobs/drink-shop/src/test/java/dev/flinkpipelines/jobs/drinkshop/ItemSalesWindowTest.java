package dev.flinkpipelines.jobs.drinkshop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.kafka.SourceCoordinates;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.testkit.JobOperators;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * The job's item_sales_1m window (uid item-sales-1m, 1 minute allowed lateness), across a restore.
 */
class ItemSalesWindowTest {

    private static final long MINUTE = 60_000;

    /** Equal to the job's tag (output tags are equal by id). */
    private static final OutputTag<EnrichedLine> TOO_LATE =
            new OutputTag<>("too-late", TypeInformation.of(EnrichedLine.class));

    private static KeyedOneInputStreamOperatorTestHarness<String, EnrichedLine, TableRow> harness(
            OperatorSubtaskState restoreFrom) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DrinkShopJob.JOB.build(
                env, DrinkShopJob.commandLine().parse(new String[] {"--allowed-lateness", "1m"}));
        OneInputStreamOperator<EnrichedLine, TableRow> window =
                JobOperators.byUid(env, "item-sales-1m");
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        window, (EnrichedLine e) -> e.line().menuId(), Types.STRING);
        h.setup();
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    private static void line(
            KeyedOneInputStreamOperatorTestHarness<String, EnrichedLine, TableRow> h,
            String orderId,
            int qty,
            long time)
            throws Exception {
        OrderLine line =
                new OrderLine(
                        orderId,
                        1,
                        "u1",
                        "m-1",
                        qty,
                        new BigDecimal("10000"),
                        Instant.ofEpochMilli(time),
                        false,
                        new SourceCoordinates("orders", 0, time));
        h.processElement(
                new StreamRecord<>(
                        new EnrichedLine(
                                line,
                                "Trà sữa",
                                "milk tea",
                                new BigDecimal("10000"),
                                EnrichedLine.OK),
                        time));
    }

    /** Rows as "minute|qty". */
    private static List<String> rows(
            KeyedOneInputStreamOperatorTestHarness<String, EnrichedLine, TableRow> h) {
        return h.extractOutputValues().stream()
                .map(r -> ((Instant) r.value(0)).toEpochMilli() / MINUTE + "|" + r.value(3))
                .collect(Collectors.toList());
    }

    @Test
    void aVeryLateLineAfterARestoreDoesNotReopenAPurgedMinute() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(null)) {
            line(h, "o1", 3, 10_000);
            h.processWatermark(2 * MINUTE);
            assertEquals(List.of("0|3"), rows(h));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(snapshot)) {
            line(h, "o2", 1, 20_000); // very late, before any new watermark
            h.processWatermark(3 * MINUTE);
            assertEquals(List.of(), rows(h), "an upsert of qty 1 would replace the minute's 3");
            assertEquals(1, h.getSideOutput(TOO_LATE).size());
        }
    }

    @Test
    void endOfInputFiresTheOpenMinutes() throws Exception {
        try (var h = harness(null)) {
            line(h, "o1", 3, 10_000);
            line(h, "o2", 2, MINUTE + 10_000);
            h.processWatermark(MINUTE);
            h.endInput();
            assertEquals(List.of("0|3", "1|2"), rows(h));
        }
    }
}
