package dev.flinkpipelines.common.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The watermark kept across restores and the end of input, through the keyed one-input and
 * two-input operators and Flink's operator test harnesses: a snapshot, then a new harness
 * initialised from it, is a restore. Windows are tested in {@link EventTimeWindowOperatorTest}.
 */
class CheckpointedWatermarkTest {

    private static final int MAX_PARALLELISM = 128;

    /** (key, time of an event-time timer to register). */
    private static Tuple2<String, Long> element(String key, long timer) {
        return Tuple2.of(key, timer);
    }

    /**
     * Reports what the operator sees: "key seen N at wm W" per element (N from keyed state, so a
     * wrong current key shows) and "key fired T at wm W" per timer.
     */
    static final class Probe extends KeyedProcessFunction<String, Tuple2<String, Long>, String> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Integer> seen;

        @Override
        public void open(OpenContext openContext) {
            seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.INT));
        }

        @Override
        public void processElement(
                Tuple2<String, Long> e, Context ctx, org.apache.flink.util.Collector<String> out)
                throws Exception {
            int n = seen.value() == null ? 1 : seen.value() + 1;
            seen.update(n);
            out.collect(
                    ctx.getCurrentKey()
                            + " seen "
                            + n
                            + " at wm "
                            + wm(ctx.timerService().currentWatermark()));
            ctx.timerService().registerEventTimeTimer(e.f1);
        }

        @Override
        public void onTimer(
                long time, OnTimerContext ctx, org.apache.flink.util.Collector<String> out) {
            out.collect(
                    ctx.getCurrentKey()
                            + " fired "
                            + time
                            + " at wm "
                            + wm(ctx.timerService().currentWatermark()));
        }
    }

    /** The same, for two inputs (both carry (key, timer)). */
    static final class Probe2
            extends KeyedCoProcessFunction<
                    String, Tuple2<String, Long>, Tuple2<String, Long>, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement1(
                Tuple2<String, Long> e, Context ctx, org.apache.flink.util.Collector<String> out) {
            out.collect(
                    ctx.getCurrentKey()
                            + " in 1 at wm "
                            + wm(ctx.timerService().currentWatermark()));
            ctx.timerService().registerEventTimeTimer(e.f1);
        }

        @Override
        public void processElement2(
                Tuple2<String, Long> e, Context ctx, org.apache.flink.util.Collector<String> out) {
            out.collect(
                    ctx.getCurrentKey()
                            + " in 2 at wm "
                            + wm(ctx.timerService().currentWatermark()));
            ctx.timerService().registerEventTimeTimer(e.f1);
        }

        @Override
        public void onTimer(
                long time, OnTimerContext ctx, org.apache.flink.util.Collector<String> out) {
            out.collect(
                    ctx.getCurrentKey()
                            + " fired "
                            + time
                            + " at wm "
                            + wm(ctx.timerService().currentWatermark()));
        }
    }

    private static String wm(long watermark) {
        return watermark == Long.MIN_VALUE
                ? "MIN"
                : watermark == Long.MAX_VALUE ? "MAX" : String.valueOf(watermark);
    }

    private static OneInputStreamOperator<Tuple2<String, Long>, String> operator() {
        return new EventTimeProcessOperator<>(
                new Probe(), CheckpointedWatermark.EndOfInput.FIRE_ALL_TIMERS);
    }

    private static TwoInputStreamOperator<Tuple2<String, Long>, Tuple2<String, Long>, String>
            twoInputOperator() {
        return new EventTimeCoProcessOperator<>(
                new Probe2(), CheckpointedWatermark.EndOfInput.FIRE_ALL_TIMERS);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Tuple2<String, Long>, String>
            harness(
                    OneInputStreamOperator<Tuple2<String, Long>, String> operator,
                    int parallelism,
                    int subtask,
                    OperatorSubtaskState state)
                    throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator, t -> t.f0, Types.STRING, MAX_PARALLELISM, parallelism, subtask);
        h.setup();
        if (state != null) {
            h.initializeState(state);
        }
        h.open();
        return h;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Tuple2<String, Long>, String>
            restored(OperatorSubtaskState state) throws Exception {
        return harness(operator(), 1, 0, state);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, Tuple2<String, Long>, Tuple2<String, Long>, String>
            twoInputHarness(OperatorSubtaskState state) throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        twoInputOperator(), t -> t.f0, t -> t.f0, Types.STRING);
        h.setup();
        if (state != null) {
            h.initializeState(state);
        }
        h.open();
        return h;
    }

    private static List<String> values(AbstractStreamOperatorTestHarness<String> h) {
        return h.getOutput().stream()
                .filter(o -> o instanceof StreamRecord)
                .map(o -> (String) ((StreamRecord<?>) o).getValue())
                .collect(Collectors.toList());
    }

    private static List<Long> watermarks(AbstractStreamOperatorTestHarness<String> h) {
        return h.getOutput().stream()
                .filter(o -> o instanceof Watermark)
                .map(o -> ((Watermark) o).getTimestamp())
                .collect(Collectors.toList());
    }

    /** A key that Flink routes to {@code subtask}. */
    private static String keyOf(int subtask, int parallelism) {
        for (int i = 0; ; i++) {
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            "k" + i, MAX_PARALLELISM, parallelism)
                    == subtask) {
                return "k" + i;
            }
        }
    }

    /** A snapshot of one subtask that reached watermark {@code wm}. */
    private static OperatorSubtaskState reached(long wm, int parallelism, int subtask)
            throws Exception {
        try (var h = harness(operator(), parallelism, subtask, null)) {
            h.processWatermark(wm);
            return h.snapshot(1, 1);
        }
    }

    @Test
    void theFirstElementAfterARestoreSeesTheRestoredWatermarkUnderItsOwnKey() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = restored(null)) {
            h.processWatermark(1_000);
            h.processElement(
                    new StreamRecord<>(
                            element("a", 900), 950)); // after the watermark: its timer is due
            snapshot = h.snapshot(1, 1);
        }
        try (var h = restored(snapshot)) {
            h.processElement(new StreamRecord<>(element("b", 5_000), 1_100));
            // the due timer fires at the restored watermark first, then "b" is processed as "b"
            assertEquals(List.of("a fired 900 at wm 1000", "b seen 1 at wm 1000"), values(h));
            assertEquals(
                    List.of(1_000L),
                    watermarks(h),
                    "downstream gets the restored watermark before the element's output");
        }
    }

    @Test
    void watermarksBelowTheRestoredOneAreIgnored() throws Exception {
        try (var h = restored(reached(1_000, 1, 0))) {
            h.processElement(new StreamRecord<>(element("a", 1_200), 1_100));
            h.processWatermark(400); // the restarted upstream starts again from nothing
            h.processWatermark(1_000);
            h.processElement(new StreamRecord<>(element("a", 1_300), 1_100));
            h.processWatermark(1_250);
            assertEquals(
                    List.of(
                            "a seen 1 at wm 1000",
                            "a seen 2 at wm 1000",
                            "a fired 1200 at wm 1250"),
                    values(h));
            assertEquals(
                    List.of(1_000L, 1_250L), watermarks(h), "never backwards, downstream either");
        }
    }

    @Test
    void aSnapshotBeforeAnyNewWatermarkKeepsTheRestoredOne() throws Exception {
        OperatorSubtaskState again;
        try (var h = restored(reached(1_000, 1, 0))) {
            again = h.snapshot(2, 2);
        }
        try (var h = restored(again)) {
            h.processElement(new StreamRecord<>(element("a", 5_000), 1));
            assertEquals(List.of("a seen 1 at wm 1000"), values(h));
        }
    }

    @Test
    void rescaleTwoToOneRestoresTheMinimum() throws Exception {
        // with aligned checkpoints both would be equal; the minimum is the safe choice if not
        OperatorSubtaskState merged =
                AbstractStreamOperatorTestHarness.repackageState(
                        reached(1_000, 2, 0), reached(900, 2, 1));
        try (var h = harness(operator(), 1, 0, merged)) {
            h.processElement(new StreamRecord<>(element("a", 5_000), 1));
            assertEquals(List.of("a seen 1 at wm 900"), values(h));
        }
    }

    @Test
    void rescaleOneToTwoGivesEverySubtaskTheWatermark() throws Exception {
        OperatorSubtaskState one = reached(1_000, 1, 0);
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorSubtaskState part =
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            one, MAX_PARALLELISM, 1, 2, subtask);
            String key = keyOf(subtask, 2);
            try (var h = harness(operator(), 2, subtask, part)) {
                h.processWatermark(500);
                h.processElement(new StreamRecord<>(element(key, 5_000), 1));
                assertEquals(List.of(key + " seen 1 at wm 1000"), values(h), "subtask " + subtask);
            }
        }
    }

    @Test
    void endOfInputFiresEveryTimerButIsNotCheckpointedAsProgress() throws Exception {
        OperatorSubtaskState afterEnd;
        try (var h = restored(null)) {
            h.processElement(new StreamRecord<>(element("a", 90_000), 1));
            h.processWatermark(1_000);
            h.endInput(); // no final watermark came (an idle upstream drops it: FLINK-40499)
            assertEquals(List.of("a seen 1 at wm MIN", "a fired 90000 at wm MAX"), values(h));
            assertEquals(List.of(1_000L, Long.MAX_VALUE), watermarks(h));
            h.endInput();
            assertEquals(2, values(h).size(), "nothing fires twice");
            afterEnd = h.snapshot(1, 1);
        }
        // the end of input is not event time: a restore (should more input ever come) is at the
        // last real watermark
        try (var h = restored(afterEnd)) {
            h.processElement(new StreamRecord<>(element("a", 5_000), 1));
            assertEquals(List.of("a seen 2 at wm 1000"), values(h));
        }
    }

    @Test
    void aSavepointOfFlinksOwnOperatorRestoresWithItsStateAndTimers() throws Exception {
        OperatorSubtaskState stock;
        try (var h = harness(new KeyedProcessOperator<>(new Probe()), 1, 0, null)) {
            h.processElement(new StreamRecord<>(element("a", 2_000), 1));
            h.processWatermark(1_000);
            stock = h.snapshot(1, 1);
        }
        try (var h = restored(stock)) {
            h.processElement(new StreamRecord<>(element("a", 3_000), 1));
            h.processWatermark(2_500);
            // no watermark in the old savepoint: the operator starts as Flink's would
            assertEquals(List.of("a seen 2 at wm MIN", "a fired 2000 at wm 2500"), values(h));
        }
    }

    @Test
    void twoInputsAfterARestoreAndEndOfInputOnlyWhenBothEnded() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = twoInputHarness(null)) {
            h.processBothWatermarks(new Watermark(1_000));
            h.processElement1(new StreamRecord<>(element("a", 900), 1));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = twoInputHarness(snapshot)) {
            h.processElement2(new StreamRecord<>(element("b", 60_000), 1));
            h.processWatermark1(
                    new Watermark(30_000)); // the other input has none yet: the combined one stays
            h.processWatermark2(
                    new Watermark(500)); // combined 500: below the restored one, ignored
            assertEquals(List.of("a fired 900 at wm 1000", "b in 2 at wm 1000"), values(h));
            h.endInput1();
            assertEquals(
                    2,
                    values(h).size(),
                    "one input ended: the other can still hold event time back");
            h.endInput2();
            assertEquals(
                    List.of(
                            "a fired 900 at wm 1000",
                            "b in 2 at wm 1000",
                            "b fired 60000 at wm MAX"),
                    values(h));
            assertEquals(List.of(1_000L, Long.MAX_VALUE), watermarks(h));
        }
    }
}
