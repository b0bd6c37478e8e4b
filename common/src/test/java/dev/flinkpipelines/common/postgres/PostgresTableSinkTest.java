package dev.flinkpipelines.common.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.runtime.partitioner.CustomPartitionerWrapper;
import org.junit.jupiter.api.Test;

/** How the job's table end wires the sink into a job's graph; no database needed. */
class PostgresTableSinkTest {

    private static final TableSpec COUNTS =
            TableSpec.upsert("counts", List.of("k"), "k", "n").keepingGreatest("n");
    private static final TableSpec LEDGER = TableSpec.appendIgnoringDuplicates("ledger", "id");

    @Test
    void batchExecutionRoutesRowsByTheirKeyWithoutSortingTheSinksInput() {
        StreamNode writer = sinkWriter(true, true);

        StreamEdge in = writer.getInEdges().get(0);
        assertInstanceOf(CustomPartitionerWrapper.class, in.getPartitioner(), in.toString());
        // a keyed input would be sorted by BATCH execution: one more serialization, comparison and
        // copy of every row the job writes, for a partitioning the hash already gives
        assertEquals(0, writer.getStatePartitioners().length, "the sink's input is keyed");
        assertTrue(
                writer.getInputRequirements().isEmpty(), writer.getInputRequirements()::toString);
    }

    @Test
    void rowsWithOneVersionEachAndStreamingExecutionAreNotRouted() {
        for (StreamNode writer : List.of(sinkWriter(true, false), sinkWriter(false, true))) {
            StreamEdge in = writer.getInEdges().get(0);
            assertEquals("FORWARD", in.getPartitioner().toString(), in.toString());
        }
    }

    private static StreamNode sinkWriter(boolean batch, boolean severalRowsPerKey) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(batch ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING);
        env.setParallelism(2);
        DataStream<TableRow> rows =
                env.fromData(
                                TableRowTypeInfo.INSTANCE,
                                TableRow.of("counts", 1, 1L),
                                TableRow.of("counts", 1, 2L),
                                TableRow.of("ledger", "a"))
                        .map(row -> row, TableRowTypeInfo.INSTANCE);
        PostgresTableSink.exactlyOnce(
                        "sink",
                        new PostgresConnectionSettings(
                                "jdbc:postgresql://localhost:1/none", "nobody", "unused"),
                        batch)
                .write(new TableOutput(rows, List.of(COUNTS, LEDGER), severalRowsPerKey));
        return env.getStreamGraph().getStreamNodes().stream()
                .filter(n -> n.getOperatorName().endsWith("Writer"))
                .findFirst()
                .orElseThrow();
    }
}
