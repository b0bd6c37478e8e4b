package dev.flinkpipelines.bench;

import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.JobEnvironment;
import dev.flinkpipelines.common.options.StreamingJob;
import dev.flinkpipelines.common.postgres.PostgresConnectionSettings;
import dev.flinkpipelines.common.postgres.PostgresTableSink;
import dev.flinkpipelines.common.postgres.TableOutput;
import dev.flinkpipelines.common.postgres.TableSink;
import dev.flinkpipelines.common.postgres.TableSpec;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * The table end of each benchmark variant. The bench hands it to the job through the same seam
 * {@code flink run} uses ({@link StreamingJob#build(org.apache.flink.streaming.api.environment.
 * StreamExecutionEnvironment, ParsedArgs, TableSink)}), so the jobs carry no benchmark code and
 * each variant writes exactly the rows the job's own sink would.
 */
final class SinkVariants {

    private SinkVariants() {}

    /**
     * @param xaTable the one table the XA variant writes (flink-connector-jdbc's XA sink writes one
     *     statement)
     */
    static TableSink of(
            Variant variant, StreamingJob job, ParsedArgs args, String xaTable, int xaBatchSize) {
        return switch (variant) {
            case EXACTLY_ONCE, EXACTLY_ONCE_STREAMING -> job.tableSink(args);
            case AT_LEAST_ONCE ->
                    new PostgresTableSink(
                            job.sinkId(args),
                            JobEnvironment.postgres(args),
                            DeliveryGuarantee.AT_LEAST_ONCE,
                            args.get(CommonFlags.BOUNDED));
            case XA -> output -> xa(output, JobEnvironment.postgres(args), xaTable, xaBatchSize);
        };
    }

    private static void xa(
            TableOutput output,
            PostgresConnectionSettings connection,
            String xaTable,
            int xaBatchSize) {
        TableSpec table =
                output.tables().stream()
                        .filter(t -> t.name().equals(xaTable))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "the job writes no table " + xaTable));
        String name = table.name();
        output.rows()
                .filter(row -> row.table().equals(name))
                .name("Only " + name)
                .sinkTo(XaSinks.forTable(table, connection, xaBatchSize))
                .uid(PostgresTableSink.UID)
                .name("PostgreSQL (flink-connector-jdbc XA)");
    }
}
