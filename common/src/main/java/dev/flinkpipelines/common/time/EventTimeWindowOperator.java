package dev.flinkpipelines.common.time;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.RichFunction;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.AppendingState;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.sorted.state.BatchExecutionInternalTimeServiceManager;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.windows.Window;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperator;
import org.apache.flink.streaming.runtime.operators.windowing.functions.InternalSingleValueProcessWindowFunction;
import org.apache.flink.streaming.runtime.operators.windowing.functions.InternalWindowFunction;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Flink's event-time {@link WindowOperator}, with its watermark kept across restores and advanced
 * to the end of event time at the end of input ({@link CheckpointedWatermark}): a window that fired
 * and was purged before a failure stays closed after it (a very late event goes to the late side
 * output instead of opening the window again with a count of 1), and a drain after an idle period
 * fires every open window.
 *
 * <p>{@link #aggregate} builds it exactly as {@code WindowedStream#aggregate(aggregate, function,
 * accumulatorType, resultType, outputType)} builds Flink's own (default trigger, no evictor): the
 * same window state ({@code window-contents}, the accumulator's serializer) and timers ({@code
 * window-timers}), so savepoints of the stock operator restore into this one under the same uid.
 * Lateness, the late side output and the metrics are Flink's own.
 */
public class EventTimeWindowOperator<K, IN, ACC, OUT, W extends Window>
        extends WindowOperator<K, IN, ACC, OUT, W> implements BoundedOneInput {

    private static final long serialVersionUID = 1L;

    /** The name {@code WindowOperatorBuilder} gives the window state. */
    static final String WINDOW_STATE_NAME = "window-contents";

    private transient CheckpointedWatermark watermark;

    /**
     * Kept to read a window's contents at end of input ({@code WindowOperator}'s own field is
     * private).
     */
    private final StateDescriptor<? extends AppendingState<IN, ACC>, ?> contentsDescriptor;

    public EventTimeWindowOperator(
            WindowAssigner<? super IN, W> windowAssigner,
            TypeSerializer<W> windowSerializer,
            KeySelector<IN, K> keySelector,
            TypeSerializer<K> keySerializer,
            StateDescriptor<? extends AppendingState<IN, ACC>, ?> windowStateDescriptor,
            InternalWindowFunction<ACC, OUT, K, W> windowFunction,
            Trigger<? super IN, ? super W> trigger,
            long allowedLateness,
            OutputTag<IN> lateDataOutputTag) {
        super(
                windowAssigner,
                windowSerializer,
                keySelector,
                keySerializer,
                windowStateDescriptor,
                windowFunction,
                trigger,
                allowedLateness,
                lateDataOutputTag);
        this.contentsDescriptor = windowStateDescriptor;
        if (!windowAssigner.isEventTime()) {
            throw new IllegalArgumentException(
                    "an event-time window assigner is needed: " + windowAssigner);
        }
    }

    /**
     * The operator for {@code input.window(assigner).allowedLateness(allowedLateness)
     * .sideOutputLateData(lateData).aggregate(aggregate, function, ...)}; wire it with {@code
     * input.transform(name, outputType, operator)}.
     */
    public static <K, IN, ACC, V, OUT, W extends Window>
            EventTimeWindowOperator<K, IN, V, OUT, W> aggregate(
                    KeyedStream<IN, K> input,
                    WindowAssigner<? super IN, W> assigner,
                    Duration allowedLateness,
                    OutputTag<IN> lateData,
                    AggregateFunction<IN, ACC, V> aggregate,
                    ProcessWindowFunction<V, OUT, K, W> function,
                    TypeInformation<ACC> accumulatorType) {
        return aggregate(
                assigner,
                allowedLateness,
                lateData,
                input.getExecutionEnvironment().clean(aggregate),
                input.getExecutionEnvironment().clean(function),
                accumulatorType,
                input.getKeySelector(),
                input.getKeyType(),
                input.getExecutionConfig());
    }

    /** As above, from the key selector, key type and execution config (for operator tests). */
    public static <K, IN, ACC, V, OUT, W extends Window>
            EventTimeWindowOperator<K, IN, V, OUT, W> aggregate(
                    WindowAssigner<? super IN, W> assigner,
                    Duration allowedLateness,
                    OutputTag<IN> lateData,
                    AggregateFunction<IN, ACC, V> aggregate,
                    ProcessWindowFunction<V, OUT, K, W> function,
                    TypeInformation<ACC> accumulatorType,
                    KeySelector<IN, K> keySelector,
                    TypeInformation<K> keyType,
                    ExecutionConfig config) {
        if (aggregate instanceof RichFunction) {
            throw new UnsupportedOperationException(
                    "This aggregate function cannot be a RichFunction.");
        }
        AggregatingStateDescriptor<IN, ACC, V> windowState =
                new AggregatingStateDescriptor<>(
                        WINDOW_STATE_NAME,
                        aggregate,
                        accumulatorType.createSerializer(config.getSerializerConfig()));
        return new EventTimeWindowOperator<>(
                assigner,
                assigner.getWindowSerializer(config),
                keySelector,
                keyType.createSerializer(config.getSerializerConfig()),
                windowState,
                new InternalSingleValueProcessWindowFunction<>(function),
                assigner.getDefaultTrigger(),
                allowedLateness.toMillis(),
                lateData);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        watermark =
                CheckpointedWatermark.initialize(
                        context, super::processWatermark, w -> endOfInput());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        watermark.snapshot();
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        watermark.beforeElement(this);
        super.processElement(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark.onWatermark(mark);
    }

    @Override
    public void endInput() throws Exception {
        watermark.endOfInput();
    }

    /**
     * A drain or the end of a bounded input: every window that has not fired yet fires with what it
     * holds — and stays, with its timers. A job resumed from the drained savepoint completes it
     * with the events still to come and fires it again at its time (the sink upserts the full
     * result); purging it here would make the first later event open it again from nothing. In
     * BATCH execution nothing resumes: event time simply ends.
     */
    private void endOfInput() throws Exception {
        if (getTimeServiceManager().orElse(null)
                instanceof BatchExecutionInternalTimeServiceManager) {
            watermark.advanceTo(Watermark.MAX_WATERMARK);
            return;
        }
        List<Tuple2<K, W>> open = new ArrayList<>();
        internalTimerService.forEachEventTimeTimer(
                (window, time) -> {
                    // the firing timer (the cleanup timer of a window that already fired comes
                    // later)
                    if (time == window.maxTimestamp()) {
                        open.add(Tuple2.of(this.<K>currentKey(), window));
                    }
                });
        for (Tuple2<K, W> keyAndWindow : open) {
            setCurrentKey(keyAndWindow.f0);
            ACC contents =
                    getPartitionedState(keyAndWindow.f1, windowSerializer, contentsDescriptor)
                            .get();
            if (contents != null) {
                timestampedCollector.setAbsoluteTimestamp(keyAndWindow.f1.maxTimestamp());
                userFunction.process(
                        keyAndWindow.f0,
                        keyAndWindow.f1,
                        new WindowContext(keyAndWindow.f1),
                        contents,
                        timestampedCollector);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T currentKey() {
        return (T) getCurrentKey();
    }
}
