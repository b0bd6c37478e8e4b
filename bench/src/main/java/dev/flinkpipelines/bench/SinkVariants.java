package dev.flinkpipelines.bench;

import dev.flinkpipelines.common.postgres.ExactlyOncePostgresSink;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableSpec;
import java.util.List;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.SinkTransformation;

/**
 * Swaps the PostgreSQL sink of a job the job itself wired, so the jobs carry no benchmark code: the
 * bench builds the job as {@code flink run} would, finds the {@link ExactlyOncePostgresSink} among
 * the environment's transformations, and attaches another sink to the very stream that fed it. (The
 * transformation list is Flink's internal API; fine for a benchmark, not for a job.)
 */
final class SinkVariants {

    private SinkVariants() {}

    /** The job's PostgreSQL sink. */
    static ExactlyOncePostgresSink find(StreamExecutionEnvironment env) {
        return transformation(env).getSink() instanceof ExactlyOncePostgresSink s ? s : null;
    }

    @SuppressWarnings("unchecked")
    private static SinkTransformation<TableRow, ?> transformation(StreamExecutionEnvironment env) {
        SinkTransformation<TableRow, ?> found = null;
        for (Transformation<?> t : env.getTransformations()) {
            if (t instanceof SinkTransformation<?, ?> sink
                    && sink.getSink() instanceof ExactlyOncePostgresSink) {
                if (found != null) {
                    throw new IllegalStateException("the job has more than one PostgreSQL sink");
                }
                found = (SinkTransformation<TableRow, ?>) sink;
            }
        }
        if (found == null) {
            throw new IllegalStateException("the job has no ExactlyOncePostgresSink");
        }
        return found;
    }

    /** Applies {@code variant}; returns the table the variant writes when it is not all of them. */
    static String apply(
            StreamExecutionEnvironment env, Variant variant, String xaTable, int xaBatchSize) {
        SinkTransformation<TableRow, ?> original = transformation(env);
        ExactlyOncePostgresSink sink = (ExactlyOncePostgresSink) original.getSink();
        switch (variant) {
            case EXACTLY_ONCE:
            case EXACTLY_ONCE_STREAMING:
                return null;
            case AT_LEAST_ONCE:
                {
                    DataStream<TableRow> input = detach(env, original);
                    input.sinkTo(sink.withDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE))
                            .uid(original.getUid())
                            .name("PostgreSQL (at least once)");
                    return null;
                }
            case XA:
                {
                    TableSpec table =
                            sink.tables().stream()
                                    .filter(t -> t.name().equals(xaTable))
                                    .findFirst()
                                    .orElseThrow(
                                            () ->
                                                    new IllegalArgumentException(
                                                            "the job's sink has no table "
                                                                    + xaTable));
                    DataStream<TableRow> input = detach(env, original);
                    String name = table.name();
                    input.filter(row -> row.table().equals(name))
                            .name("Only " + name)
                            .sinkTo(XaSinks.forTable(table, sink.connectionSettings(), xaBatchSize))
                            .uid(original.getUid())
                            .name("PostgreSQL (flink-connector-jdbc XA)");
                    return name;
                }
            default:
                throw new IllegalArgumentException(String.valueOf(variant));
        }
    }

    private static DataStream<TableRow> detach(
            StreamExecutionEnvironment env, SinkTransformation<TableRow, ?> sink) {
        List<Transformation<?>> all = env.getTransformations();
        if (!all.remove(sink)) {
            throw new IllegalStateException("could not detach the job's sink");
        }
        return sink.getInputStream();
    }
}
