package dev.flinkpipelines.jobs.kpi;

import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.metrics.PipelineMetrics;
import dev.flinkpipelines.common.postgres.TableRow;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** The 1-minute event-time windows per currency and what leaves them. */
final class KpiWindows {

    static final Duration SIZE = Duration.ofMinutes(1);

    /** Events that arrived after their window's allowed lateness. */
    static final OutputTag<OrderEvent> TOO_LATE =
            new OutputTag<>("too-late", TypeInformation.of(OrderEvent.class));

    private KpiWindows() {}

    /** Turns a window's KPIs into its kpi_1m row, on time and at every late update. */
    static final class ToRow
            extends ProcessWindowFunction<KpiAccumulator, TableRow, String, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                String currency,
                Context ctx,
                Iterable<KpiAccumulator> kpis,
                Collector<TableRow> out) {
            TimeWindow w = ctx.window();
            out.collect(
                    KpiRows.kpi(
                            w.getStart(),
                            w.getEnd(),
                            currency,
                            kpis.iterator().next(),
                            Instant.now()));
        }
    }

    /** Records a too-late event in late_events, with how late it was, and counts it. */
    static final class LateToRow extends ProcessFunction<OrderEvent, TableRow> {
        private static final long serialVersionUID = 1L;
        private transient Counter late;

        @Override
        public void open(OpenContext openContext) {
            late = getRuntimeContext().getMetricGroup().counter(PipelineMetrics.LATE_RECORDS);
        }

        @Override
        public void processElement(OrderEvent e, Context ctx, Collector<TableRow> out) {
            late.inc();
            long windowStart =
                    TimeWindow.getWindowStartWithOffset(e.eventTimeMillis(), 0, SIZE.toMillis());
            out.collect(
                    KpiRows.late(
                            e, windowStart, ctx.timerService().currentWatermark(), Instant.now()));
        }
    }
}
