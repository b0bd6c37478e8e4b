package dev.flinkpipelines.common.postgres;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The end every job has when it runs: its rows into PostgreSQL through one {@link PostgresSink} for
 * all its tables, under the uid {@value #UID} that keeps the sink's state across releases.
 */
public final class PostgresTableSink implements TableSink {

    /** The sink operator's uid in every job (its state: rows carried to the next transaction). */
    public static final String UID = "postgres-sink";

    private final String sinkId;
    private final PostgresConnectionSettings connection;
    private final DeliveryGuarantee guarantee;
    private final boolean batchExecution;

    /**
     * @param batchExecution whether the job runs in BATCH execution ({@code --bounded}), where
     *     several versions of one row must be routed by key to meet in one writer
     */
    public PostgresTableSink(
            String sinkId,
            PostgresConnectionSettings connection,
            DeliveryGuarantee guarantee,
            boolean batchExecution) {
        this.sinkId = sinkId;
        this.connection = connection;
        this.guarantee = guarantee;
        this.batchExecution = batchExecution;
    }

    /** The job's sink: exactly once. */
    public static PostgresTableSink exactlyOnce(
            String sinkId, PostgresConnectionSettings connection, boolean batchExecution) {
        return new PostgresTableSink(
                sinkId, connection, DeliveryGuarantee.EXACTLY_ONCE, batchExecution);
    }

    @Override
    public void write(TableOutput output) {
        PostgresSink.Builder builder =
                PostgresSink.builder(sinkId, connection).deliveryGuarantee(guarantee);
        output.tables().forEach(builder::table);
        DataStream<TableRow> rows = output.rows();
        if (batchExecution && output.severalRowsPerKey()) {
            rows = TableRouting.byKey(rows, output.tables());
        }
        rows.sinkTo(builder.build()).uid(UID).name(operatorName(guarantee));
    }

    /** The sink's name in the web UI and in metric names: says what it guarantees. */
    public static String operatorName(DeliveryGuarantee guarantee) {
        return guarantee == DeliveryGuarantee.EXACTLY_ONCE
                ? "PostgreSQL (exactly once)"
                : "PostgreSQL (at least once)";
    }
}
