package dev.flinkpipelines.common.time;

import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Flink's {@link KeyedCoProcessOperator} (what {@code connect(...).process} builds for two keyed
 * streams), with its watermark kept across restores and advanced to the end of event time once both
 * inputs have ended ({@link CheckpointedWatermark}). Flink combines the two inputs' watermarks (the
 * minimum) before {@link #processWatermark}, so only the combined one is kept.
 *
 * <p>Wire it with {@code connectedStreams.transform(name, outputType, new
 * EventTimeCoProcessOperator<>(fn))}.
 */
public class EventTimeCoProcessOperator<K, IN1, IN2, OUT>
        extends KeyedCoProcessOperator<K, IN1, IN2, OUT> implements BoundedMultiInput {

    private static final long serialVersionUID = 1L;

    private transient CheckpointedWatermark watermark;
    private transient boolean firstEnded;
    private transient boolean secondEnded;

    private final CheckpointedWatermark.EndOfInput endOfInput;

    /**
     * @param endOfInput what a drain or the end of a bounded input does: {@code FIRE_ALL_TIMERS}
     *     when the function's timers emit what waited for the watermark, {@code KEEP_STATE} when
     *     they only expire state
     */
    public EventTimeCoProcessOperator(
            KeyedCoProcessFunction<K, IN1, IN2, OUT> function,
            CheckpointedWatermark.EndOfInput endOfInput) {
        super(function);
        this.endOfInput = endOfInput;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        watermark = CheckpointedWatermark.initialize(context, super::processWatermark, endOfInput);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        watermark.snapshot();
    }

    @Override
    public void processElement1(StreamRecord<IN1> element) throws Exception {
        watermark.beforeElement(this);
        super.processElement1(element);
    }

    @Override
    public void processElement2(StreamRecord<IN2> element) throws Exception {
        watermark.beforeElement(this);
        super.processElement2(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark.onWatermark(mark);
    }

    /** One input ending is not the end of event time: the other one may still hold it back. */
    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1) {
            firstEnded = true;
        } else {
            secondEnded = true;
        }
        if (firstEnded && secondEnded) {
            watermark.endOfInput();
        }
    }
}
