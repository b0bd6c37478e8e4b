package dev.flinkpipelines.common.dedup;

import dev.flinkpipelines.common.events.TimestampedEvent;
import dev.flinkpipelines.common.metrics.PipelineMetrics;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Lets the first event of each key (an event id) through and drops later copies, remembering a key
 * until the watermark has moved {@code horizon} past the moment it was first seen (the later of its
 * event time and the watermark then). State is bounded by an event-time timer per key, and lives in
 * checkpoints, so a copy arriving after a restart is still recognised.
 *
 * <p>Beyond the horizon a copy is no longer recognised: it passes as new. Events that arrive so
 * late that an earlier copy may already be forgotten (event time + horizon behind the watermark)
 * are counted in {@code beyondDedupHorizon}.
 */
public final class EventTimeDeduplicator<K, T extends TimestampedEvent>
        extends KeyedProcessFunction<K, T, T> {

    private static final long serialVersionUID = 1L;

    public static final String BEYOND_HORIZON = "beyondDedupHorizon";

    private final long horizonMillis;
    private final OutputTag<T> duplicates;
    private transient ValueState<Long> forgetAt;
    private transient Counter duplicatesDropped;
    private transient Counter beyondHorizon;

    /**
     * @param duplicates where dropped copies go (for audit trails), or null to discard them
     */
    public EventTimeDeduplicator(Duration horizon, OutputTag<T> duplicates) {
        if (horizon.isNegative() || horizon.isZero()) {
            throw new IllegalArgumentException("dedup horizon must be positive: " + horizon);
        }
        this.horizonMillis = horizon.toMillis();
        this.duplicates = duplicates;
    }

    @Override
    public void open(OpenContext openContext) {
        forgetAt =
                getRuntimeContext().getState(new ValueStateDescriptor<>("forget-at", Types.LONG));
        duplicatesDropped =
                getRuntimeContext().getMetricGroup().counter(PipelineMetrics.DUPLICATES_DROPPED);
        beyondHorizon = getRuntimeContext().getMetricGroup().counter(BEYOND_HORIZON);
    }

    @Override
    public void processElement(T event, Context ctx, Collector<T> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        long eventTime = event.eventTimeMillis();
        if (watermark != Long.MIN_VALUE && eventTime + horizonMillis <= watermark) {
            beyondHorizon.inc();
        }
        if (forgetAt.value() != null) {
            duplicatesDropped.inc();
            if (duplicates != null) {
                ctx.output(duplicates, event);
            }
            return;
        }
        long forget = Math.max(eventTime, watermark) + horizonMillis;
        forgetAt.update(forget);
        ctx.timerService().registerEventTimeTimer(forget);
        out.collect(event);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<T> out) throws Exception {
        Long forget = forgetAt.value();
        if (forget != null && forget <= timestamp) {
            forgetAt.clear();
        }
    }
}
