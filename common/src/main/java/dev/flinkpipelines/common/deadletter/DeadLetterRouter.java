package dev.flinkpipelines.common.deadletter;

import dev.flinkpipelines.common.metrics.PipelineMetrics;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableRowTypeInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits parsed records: valid events continue downstream, dead letters leave through {@link
 * #DEAD_LETTERS} already as {@code dead_letters} rows for the job's exactly-once sink. Counts
 * records in, valid and invalid.
 */
public final class DeadLetterRouter<T> extends ProcessFunction<Either<DeadLetter, T>, T> {

    private static final long serialVersionUID = 1L;

    /** Dead letters as rows of the {@code dead_letters} table. */
    public static final OutputTag<TableRow> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TableRowTypeInfo.INSTANCE);

    private final String jobName;
    private transient Counter in;
    private transient Counter valid;
    private transient Counter invalid;

    public DeadLetterRouter(String jobName) {
        this.jobName = jobName;
    }

    @Override
    public void open(OpenContext openContext) {
        in = getRuntimeContext().getMetricGroup().counter(PipelineMetrics.RECORDS_IN);
        valid = getRuntimeContext().getMetricGroup().counter(PipelineMetrics.RECORDS_VALID);
        invalid = getRuntimeContext().getMetricGroup().counter(PipelineMetrics.RECORDS_INVALID);
    }

    @Override
    public void processElement(Either<DeadLetter, T> record, Context ctx, Collector<T> out) {
        in.inc();
        if (record.isRight()) {
            valid.inc();
            out.collect(record.right());
        } else {
            invalid.inc();
            ctx.output(DEAD_LETTERS, DeadLetterRows.toRow(jobName, record.left()));
        }
    }
}
