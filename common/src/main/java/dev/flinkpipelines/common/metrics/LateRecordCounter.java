package dev.flinkpipelines.common.metrics;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * Counts records a window dropped as too late ({@link PipelineMetrics#LATE_RECORDS}) and emits
 * nothing: for jobs whose late records are already stored elsewhere and only need counting.
 */
public final class LateRecordCounter<T> extends RichFlatMapFunction<T, Void> {

    private static final long serialVersionUID = 1L;
    private transient Counter late;

    @Override
    public void open(OpenContext openContext) {
        late = getRuntimeContext().getMetricGroup().counter(PipelineMetrics.LATE_RECORDS);
    }

    @Override
    public void flatMap(T record, Collector<Void> out) {
        late.inc();
    }
}
