package dev.flinkpipelines.common.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperatorBuilder;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * The event-time window operator against Flink's own (as {@code WindowedStream#aggregate} builds
 * it): 1-minute tumbling windows, 1 minute allowed lateness, a late side output.
 */
class EventTimeWindowOperatorTest {

    private static final long MINUTE = 60_000;
    private static final Duration LATENESS = Duration.ofMinutes(1);
    private static final OutputTag<String> TOO_LATE = new OutputTag<>("too-late", Types.STRING);

    static final class Count implements AggregateFunction<String, Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(String value, Long count) {
            return count + 1;
        }

        @Override
        public Long getResult(Long count) {
            return count;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }

    /** "key@minute=count". */
    static final class ToText extends ProcessWindowFunction<Long, String, String, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(String key, Context ctx, Iterable<Long> counts, Collector<String> out) {
            out.collect(
                    key + "@" + ctx.window().getStart() / MINUTE + "=" + counts.iterator().next());
        }
    }

    private static OneInputStreamOperator<String, String> ours() {
        return EventTimeWindowOperator.aggregate(
                TumblingEventTimeWindows.of(Duration.ofMinutes(1)),
                LATENESS,
                TOO_LATE,
                new Count(),
                new ToText(),
                Types.LONG,
                (String s) -> s,
                Types.STRING,
                new ExecutionConfig());
    }

    /**
     * What {@code keyBy(..).window(..).allowedLateness(..).sideOutputLateData(..).aggregate(..)}
     * builds.
     */
    private static OneInputStreamOperator<String, String> flinks() {
        WindowOperatorBuilder<String, String, TimeWindow> builder =
                new WindowOperatorBuilder<>(
                        TumblingEventTimeWindows.of(Duration.ofMinutes(1)),
                        TumblingEventTimeWindows.of(Duration.ofMinutes(1)).getDefaultTrigger(),
                        new ExecutionConfig(),
                        TypeInformation.of(String.class),
                        s -> s,
                        Types.STRING);
        builder.allowedLateness(LATENESS);
        builder.sideOutputLateData(TOO_LATE);
        return builder.aggregate(new Count(), new ToText(), Types.LONG);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, String, String> harness(
            OneInputStreamOperator<String, String> operator, OperatorSubtaskState state)
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator, (String s) -> s, Types.STRING);
        h.setup();
        if (state != null) {
            h.initializeState(state);
        }
        h.open();
        return h;
    }

    private static List<String> tooLate(
            KeyedOneInputStreamOperatorTestHarness<String, String, String> h) {
        var side = h.getSideOutput(TOO_LATE);
        return side == null
                ? List.of()
                : side.stream()
                        .map(r -> r.getValue() + "@" + r.getTimestamp())
                        .collect(Collectors.toList());
    }

    @Test
    void aSavepointOfFlinksOwnWindowOperatorRestoresItsOpenWindows() throws Exception {
        OperatorSubtaskState stock;
        try (var h = harness(flinks(), null)) {
            h.processElement("a", 10_000);
            h.processElement("a", 20_000);
            h.processElement("b", 70_000);
            h.processWatermark(30_000);
            stock = h.snapshot(1, 1);
        }
        try (var h = harness(ours(), stock)) {
            h.processElement("a", 40_000);
            h.processWatermark(2 * MINUTE);
            assertEquals(List.of("a@0=3", "b@1=1"), h.extractOutputValues());
        }
    }

    @Test
    void aWindowPurgedBeforeARestoreStaysClosedAfterIt() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(ours(), null)) {
            h.processElement("a", 10_000);
            h.processElement("a", 20_000);
            h.processWatermark(2 * MINUTE); // fired at 59,999 and purged at 119,999
            assertEquals(List.of("a@0=2"), h.extractOutputValues());
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(ours(), snapshot)) {
            h.processElement("a", 30_000); // very late, before any new watermark
            h.processWatermark(3 * MINUTE);
            assertEquals(
                    List.of(), h.extractOutputValues(), "no window [0, 1 min) with a count of 1");
            assertEquals(List.of("a@30000"), tooLate(h));
        }
    }

    @Test
    void endOfInputFiresEveryOpenWindow() throws Exception {
        try (var h = harness(ours(), null)) {
            h.processElement("a", 10_000);
            h.processElement("b", 70_000);
            h.processWatermark(65_000);
            h.endInput();
            assertEquals(List.of("a@0=1", "b@1=1"), h.extractOutputValues());
        }
    }

    /**
     * A drain (its final watermark, or Flink's endInput when that watermark was dropped) fires
     * every open window with what it holds and keeps it: a job resumed from the drained savepoint
     * counts the window's later events into it, as an undisturbed run would, instead of opening it
     * again from nothing (which the sink's upsert would turn into a count of 1 over the drained
     * one).
     */
    @Test
    void aDrainFiresOpenWindowsAndKeepsThemSoAJobResumedFromItCompletesThem() throws Exception {
        for (boolean byFinalWatermark : new boolean[] {false, true}) {
            OperatorSubtaskState drained;
            try (var h = harness(ours(), null)) {
                h.processElement("a", 10_000);
                h.processElement("a", 20_000);
                h.processElement("b", 70_000);
                h.processWatermark(30_000);
                if (byFinalWatermark) {
                    h.processWatermark(Long.MAX_VALUE);
                } else {
                    h.endInput();
                }
                assertEquals(
                        List.of("a@0=2", "b@1=1"),
                        h.extractOutputValues().stream().sorted().collect(Collectors.toList()));
                drained = h.snapshot(1, 1);
            }
            try (var h = harness(ours(), drained)) {
                h.processElement(
                        "a", 40_000); // on time: 30 s is the watermark the drained job had reached
                h.processWatermark(2 * MINUTE);
                assertEquals(
                        List.of("a@0=3", "b@1=1"),
                        h.extractOutputValues(),
                        "drained by " + (byFinalWatermark ? "the final watermark" : "endInput"));
                assertEquals(List.of(), tooLate(h));
            }
        }
    }
}
