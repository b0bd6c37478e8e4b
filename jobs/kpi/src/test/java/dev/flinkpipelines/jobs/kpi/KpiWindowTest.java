package dev.flinkpipelines.jobs.kpi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.testkit.JobOperators;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The KPI window operator (the job's own, by uid: 1-minute tumbling windows, 1 minute allowed
 * lateness, too-late events to a side output) in Flink's keyed operator test harness, with
 * watermarks set exactly at the boundaries, and across a restore.
 */
class KpiWindowTest {

    private static final long MINUTE = 60_000;
    private KeyedOneInputStreamOperatorTestHarness<String, OrderEvent, TableRow> harness;

    /** The job's own operator by uid, from a freshly built job (a restore needs a new instance). */
    private static <I, O> OneInputStreamOperator<I, O> jobOperator(String uid) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        KpiJob.JOB.build(
                env, KpiJob.commandLine().parse(new String[] {"--allowed-lateness", "1m"}));
        return JobOperators.byUid(env, uid);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, OrderEvent, TableRow>
            windowHarness(OperatorSubtaskState restoreFrom) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<String, OrderEvent, TableRow>(
                        KpiWindowTest.<OrderEvent, TableRow>jobOperator("kpi-1m"),
                        e -> e.currency().name(),
                        Types.STRING);
        h.setup();
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    @BeforeEach
    void setUp() throws Exception {
        harness = windowHarness(null);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static StreamRecord<OrderEvent> paymentRecord(
            String id, long eventTime, String amount) {
        OrderEvent e =
                new OrderEvent(
                        id,
                        Instant.ofEpochMilli(eventTime),
                        OrderEvent.Type.PAYMENT_SUCCESS,
                        "ORD-" + id,
                        "USR1",
                        new BigDecimal(amount),
                        OrderEvent.Currency.VND,
                        OrderEvent.Status.SUCCESS,
                        new SourceCoordinates("events_clean", 0, 0));
        return new StreamRecord<>(e, eventTime);
    }

    private void payment(String id, long eventTime, String amount) throws Exception {
        harness.processElement(paymentRecord(id, eventTime, amount));
    }

    /** Emitted kpi_1m rows as "window_start|revenue|payment_success". */
    private List<String> rows() {
        return harness.extractOutputValues().stream()
                .map(
                        r ->
                                ((Instant) r.value(0)).toEpochMilli() / MINUTE
                                        + "|"
                                        + r.value(3)
                                        + "|"
                                        + r.value(6))
                .collect(Collectors.toList());
    }

    private List<String> tooLate() {
        var side = harness.getSideOutput(KpiWindows.TOO_LATE);
        return side == null
                ? List.of()
                : side.stream().map(r -> r.getValue().id()).collect(Collectors.toList());
    }

    @Test
    void onTimeLateWithinLatenessAndTooLateAtTheExactBoundaries() throws Exception {
        payment("a", 10_000, "100.00");
        payment("b", 59_999, "50.00"); // last millisecond of window [0, 60000)
        harness.processWatermark(59_998);
        assertEquals(List.of(), rows(), "the window is still open one millisecond before its end");

        harness.processWatermark(59_999); // = window end - 1: fires
        assertEquals(List.of("0|150.00|2"), rows());

        payment("c", 30_000, "25.00"); // late, within the allowed lateness: re-fires, row updated
        assertEquals(List.of("0|150.00|2", "0|175.00|3"), rows());

        harness.processWatermark(119_998); // one millisecond before the lateness ends
        payment("d", 1_000, "5.00");
        assertEquals(List.of("0|150.00|2", "0|175.00|3", "0|180.00|4"), rows());
        assertEquals(List.of(), tooLate());

        harness.processWatermark(119_999); // end - 1 + lateness: the window is gone
        payment("e", 2_000, "7.00");
        assertEquals(
                List.of("0|150.00|2", "0|175.00|3", "0|180.00|4"), rows(), "no further update");
        assertEquals(
                List.of("e"),
                tooLate(),
                "beyond the allowed lateness the event goes to late_events");
    }

    @Test
    void windowsAndCurrenciesAreKeptApart() throws Exception {
        payment("a", 10_000, "1.00");
        payment("b", MINUTE + 10_000, "2.00");
        harness.processWatermark(2 * MINUTE);
        assertEquals(List.of("0|1.00|1", "1|2.00|1"), rows());
    }

    @Test
    void afterARestoreAnEventBeyondTheLatenessGoesToLateEventsWithTheWatermarkItWasJudgedBy()
            throws Exception {
        payment("a", 10_000, "100.00");
        harness.processWatermark(2 * MINUTE); // fired, and the allowed lateness is over: purged
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);

        try (var restored = windowHarness(snapshot);
                var lateToRow =
                        new OneInputStreamOperatorTestHarness<OrderEvent, TableRow>(
                                KpiWindowTest.<OrderEvent, TableRow>jobOperator("late-events"))) {
            lateToRow.open();
            restored.processElement(paymentRecord("b", 30_000, "5.00")); // before any new watermark
            restored.processWatermark(3 * MINUTE);
            assertEquals(
                    List.of(),
                    restored.extractOutputValues(),
                    "the minute is not reopened: its kpi_1m row stays 100.00");
            assertEquals(
                    List.of("b"),
                    restored.getSideOutput(KpiWindows.TOO_LATE).stream()
                            .map(r -> r.getValue().id())
                            .collect(Collectors.toList()));

            // downstream, late-events sees what the window emitted, in order: the restored
            // watermark, then the event
            long emitted =
                    restored.getOutput().stream()
                            .filter(o -> o instanceof Watermark)
                            .mapToLong(o -> ((Watermark) o).getTimestamp())
                            .findFirst()
                            .orElseThrow();
            lateToRow.processWatermark(emitted);
            lateToRow.processElement(restored.getSideOutput(KpiWindows.TOO_LATE).peek());
            TableRow late = lateToRow.extractOutputValues().get(0);
            assertEquals(Instant.ofEpochMilli(2 * MINUTE), late.value(4), "watermark");
            assertEquals(2 * MINUTE - 30_000, late.value(5), "late_by_ms");
        }
    }

    @Test
    void endOfInputFiresTheOpenWindows() throws Exception {
        payment("a", 10_000, "1.00");
        payment("b", MINUTE + 10_000, "2.00");
        harness.processWatermark(MINUTE);
        harness.endInput(); // drain, or the end of a bounded input, after idleness
        assertEquals(List.of("0|1.00|1", "1|2.00|1"), rows());
    }
}
