package dev.flinkpipelines.jobs.videoviews;

import dev.flinkpipelines.common.events.VideoView;
import dev.flinkpipelines.common.metrics.PipelineMetrics;
import dev.flinkpipelines.common.postgres.TableRow;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per video: decides for each (already deduplicated) view whether it counts, writes its ledger row,
 * and keeps the event-time hour's counts. Ledger and hourly counts come from the same decision, so
 * the sum of counted ledger rows per video-hour is the hourly row by construction.
 *
 * <ul>
 *   <li>shorter than the qualifying threshold: not counted, {@code too_short};
 *   <li>its hour is closed (the watermark passed the hour's end plus the allowed lateness): not
 *       counted, {@code late}, and the {@code lateRecords} metric;
 *   <li>otherwise counted: the hour's total (and revenue views, when eligible) grows and its
 *       video_views_1h row is upserted.
 * </ul>
 *
 * An hour's state is dropped by an event-time timer when it closes, so state stays bounded.
 */
final class ViewCounter extends KeyedProcessFunction<String, VideoView, TableRow> {

    private static final long serialVersionUID = 1L;
    static final long HOUR = Duration.ofHours(1).toMillis();

    private final int qualifyingSeconds;
    private final long allowedLatenessMillis;
    private final ViewRows rows;
    private transient MapState<Long, long[]> hours;
    private transient Counter late;

    ViewCounter(int qualifyingSeconds, Duration allowedLateness, ViewRows rows) {
        this.qualifyingSeconds = qualifyingSeconds;
        this.allowedLatenessMillis = allowedLateness.toMillis();
        this.rows = rows;
    }

    @Override
    public void open(OpenContext openContext) {
        hours =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "hour-counts",
                                        Types.LONG,
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        late = getRuntimeContext().getMetricGroup().counter(PipelineMetrics.LATE_RECORDS);
    }

    /** The last moment an hour can still change. */
    private long closesAt(long hourStart) {
        return hourStart + HOUR - 1 + allowedLatenessMillis;
    }

    @Override
    public void processElement(VideoView view, Context ctx, Collector<TableRow> out)
            throws Exception {
        long hour = view.eventTimeMillis() - Math.floorMod(view.eventTimeMillis(), HOUR);
        if (view.viewDurationSeconds() < qualifyingSeconds) {
            out.collect(rows.ledger(view, false, ViewRows.TOO_SHORT, hour));
            return;
        }
        if (closesAt(hour) <= ctx.timerService().currentWatermark()) {
            late.inc();
            out.collect(rows.ledger(view, false, ViewRows.LATE, hour));
            return;
        }
        long[] counts = hours.get(hour);
        if (counts == null) {
            counts = new long[2];
            ctx.timerService().registerEventTimeTimer(closesAt(hour));
        }
        counts[0]++;
        if (view.revenueEligible()) {
            counts[1]++;
        }
        hours.put(hour, counts);
        out.collect(rows.ledger(view, true, null, hour));
        out.collect(rows.hourly(ctx.getCurrentKey(), hour, counts[0], counts[1]));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TableRow> out)
            throws Exception {
        hours.remove(timestamp + 1 - HOUR - allowedLatenessMillis);
    }
}
