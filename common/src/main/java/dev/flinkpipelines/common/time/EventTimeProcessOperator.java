package dev.flinkpipelines.common.time;

import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Flink's {@link KeyedProcessOperator} (the operator {@code KeyedStream#process} builds), with its
 * watermark kept across restores and advanced to the end of event time at the end of input ({@link
 * CheckpointedWatermark}). The function is unchanged: it reads the restored watermark through
 * {@code ctx.timerService().currentWatermark()}, and its keyed state and timers are the same as
 * under {@code process}, so savepoints of either restore into the other.
 *
 * <p>Wire it with {@code keyedStream.transform(name, outputType, new
 * EventTimeProcessOperator<>(fn))}.
 */
public class EventTimeProcessOperator<K, IN, OUT> extends KeyedProcessOperator<K, IN, OUT>
        implements BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private transient CheckpointedWatermark watermark;

    private final CheckpointedWatermark.EndOfInput endOfInput;

    /**
     * @param endOfInput what a drain or the end of a bounded input does: {@code FIRE_ALL_TIMERS}
     *     when the function's timers emit what waited for the watermark, {@code KEEP_STATE} when
     *     they only expire state
     */
    public EventTimeProcessOperator(
            KeyedProcessFunction<K, IN, OUT> function,
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
}
