package dev.flinkpipelines.jobs.kpi;

import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import dev.flinkpipelines.common.postgres.TableRow;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperatorBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The KPI window operator (as KpiJob builds it: 1-minute tumbling windows, 1 minute allowed
 * lateness, too-late events to a side output) in Flink's keyed operator test harness, with
 * watermarks set exactly at the boundaries.
 */
class KpiWindowTest {

    private static final long MINUTE = 60_000;
    private KeyedOneInputStreamOperatorTestHarness<String, OrderEvent, TableRow> harness;

    @BeforeEach
    void setUp() throws Exception {
        WindowOperatorBuilder<OrderEvent, String, org.apache.flink.streaming.api.windowing.windows.TimeWindow> builder =
                new WindowOperatorBuilder<>(TumblingEventTimeWindows.of(KpiWindows.SIZE), EventTimeTrigger.create(),
                        new ExecutionConfig(), TypeInformation.of(OrderEvent.class), e -> e.currency().name(), Types.STRING);
        builder.allowedLateness(Duration.ofMinutes(1));
        builder.sideOutputLateData(KpiWindows.TOO_LATE);
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                builder.aggregate(new KpiAggregate(), new KpiWindows.ToRow(), TypeInformation.of(KpiAccumulator.class)),
                e -> e.currency().name(), Types.STRING);
        harness.open();
    }

    private void payment(String id, long eventTime, String amount) throws Exception {
        OrderEvent e = new OrderEvent(id, Instant.ofEpochMilli(eventTime), OrderEvent.Type.PAYMENT_SUCCESS, "ORD-" + id, "USR1",
                new BigDecimal(amount), OrderEvent.Currency.VND, OrderEvent.Status.SUCCESS, new SourceCoordinates("events_clean", 0, 0));
        harness.processElement(new StreamRecord<>(e, eventTime));
    }

    /** Emitted kpi_1m rows as "window_start|revenue|payment_success". */
    private List<String> rows() {
        return harness.extractOutputValues().stream()
                .map(r -> ((Instant) r.value(0)).toEpochMilli() / MINUTE + "|" + r.value(3) + "|" + r.value(6))
                .collect(Collectors.toList());
    }

    private List<String> tooLate() {
        var side = harness.getSideOutput(KpiWindows.TOO_LATE);
        return side == null ? List.of() : side.stream().map(r -> r.getValue().id()).collect(Collectors.toList());
    }

    @Test
    void onTimeLateWithinLatenessAndTooLateAtTheExactBoundaries() throws Exception {
        payment("a", 10_000, "100.00");
        payment("b", 59_999, "50.00");                 // last millisecond of window [0, 60000)
        harness.processWatermark(59_998);
        assertEquals(List.of(), rows(), "the window is still open one millisecond before its end");

        harness.processWatermark(59_999);              // = window end - 1: fires
        assertEquals(List.of("0|150.00|2"), rows());

        payment("c", 30_000, "25.00");                 // late, within the allowed lateness: re-fires, row updated
        assertEquals(List.of("0|150.00|2", "0|175.00|3"), rows());

        harness.processWatermark(119_998);             // one millisecond before the lateness ends
        payment("d", 1_000, "5.00");
        assertEquals(List.of("0|150.00|2", "0|175.00|3", "0|180.00|4"), rows());
        assertEquals(List.of(), tooLate());

        harness.processWatermark(119_999);             // end - 1 + lateness: the window is gone
        payment("e", 2_000, "7.00");
        assertEquals(List.of("0|150.00|2", "0|175.00|3", "0|180.00|4"), rows(), "no further update");
        assertEquals(List.of("e"), tooLate(), "beyond the allowed lateness the event goes to late_events");
    }

    @Test
    void windowsAndCurrenciesAreKeptApart() throws Exception {
        payment("a", 10_000, "1.00");
        payment("b", MINUTE + 10_000, "2.00");
        harness.processWatermark(2 * MINUTE);
        assertEquals(List.of("0|1.00|1", "1|2.00|1"), rows());
    }
}
