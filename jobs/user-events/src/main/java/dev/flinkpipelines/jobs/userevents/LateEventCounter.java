package dev.flinkpipelines.jobs.userevents;

import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.metrics.PipelineMetrics;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * Counts events that arrived after their window's allowed lateness. They are not lost: every
 * valid event is in user_events; only movie_activity_1m no longer changes for them.
 */
final class LateEventCounter extends RichFlatMapFunction<UserEvent, Void> {

    private static final long serialVersionUID = 1L;
    private transient Counter late;

    @Override
    public void open(OpenContext openContext) {
        late = getRuntimeContext().getMetricGroup().counter(PipelineMetrics.LATE_RECORDS);
    }

    @Override
    public void flatMap(UserEvent event, Collector<Void> out) {
        late.inc();
    }
}
