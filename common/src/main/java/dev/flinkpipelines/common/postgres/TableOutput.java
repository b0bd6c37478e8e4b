package dev.flinkpipelines.common.postgres;

import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What a job's pipeline hands its table sink: the rows, and the tables they go to.
 *
 * @param rows every row the pipeline writes, of any of {@code tables}
 * @param tables the tables the rows go to, with how each is written
 * @param severalRowsPerKey whether the pipeline may emit several versions of one upsert row (an
 *     item's stock level, a video-hour's count) — BATCH execution then needs them routed by key
 *     ({@link TableRouting})
 */
public record TableOutput(
        DataStream<TableRow> rows, List<TableSpec> tables, boolean severalRowsPerKey) {

    public TableOutput {
        tables = List.copyOf(tables);
    }

    /** Rows with at most one version of each upsert row per run of the job. */
    public static TableOutput of(DataStream<TableRow> rows, List<TableSpec> tables) {
        return new TableOutput(rows, tables, false);
    }
}
