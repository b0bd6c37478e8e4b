package dev.flinkpipelines.common.postgres;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;

/** How rows reach the sink's writer subtasks when the job's edges do not keep them in order. */
public final class TableRouting {

    private TableRouting() {}

    /**
     * Sends each row to the writer subtask its table key belongs to — the upsert key, or the whole
     * row for other tables — so rows that touch the same database row always meet in the same
     * transaction. For BATCH execution, where the scheduler does not keep one-to-one edges to the
     * sink (measured: parallel upserts of one key raced). Not for streaming: there the keyed
     * operator's edge to the sink already is one-to-one, and a separate sink task can meet its own
     * still-prepared transaction's locks at end of input. BATCH sorts by key without keeping
     * arrival order, so several rows per key need {@link TableSpec#keepingGreatest}.
     */
    public static DataStream<TableRow> byKey(DataStream<TableRow> rows, List<TableSpec> tables) {
        Map<String, int[]> keyPositions = new HashMap<>();
        for (TableSpec t : tables) {
            keyPositions.put(
                    t.name(), t.mode() == TableSpec.WriteMode.UPSERT ? t.keyPositions() : null);
        }
        return rows.keyBy(new RoutingKey(keyPositions), Types.INT);
    }

    /**
     * A hash of the table name and the values that identify the database row: rows that touch the
     * same database row always get the same one; rows of different database rows may share it,
     * which only means they meet in one writer. An int rather than the values joined into a string:
     * building that string (Instant and BigDecimal formatted) and BATCH execution's sort on long
     * variable-length keys were 5 % and most of 14 % of the video-views run's CPU samples (JFR).
     * Every value type a row holds hashes the same in every JVM.
     */
    private static final class RoutingKey implements KeySelector<TableRow, Integer> {
        private static final long serialVersionUID = 2L;
        private final Map<String, int[]> keyPositions;

        RoutingKey(Map<String, int[]> keyPositions) {
            this.keyPositions = keyPositions;
        }

        @Override
        public Integer getKey(TableRow row) {
            int hash = row.table().hashCode();
            int[] positions = keyPositions.get(row.table());
            if (positions == null) {
                for (int i = 0; i < row.arity(); i++) {
                    hash = 31 * hash + valueHash(row.value(i));
                }
            } else {
                for (int position : positions) {
                    hash = 31 * hash + valueHash(row.value(position));
                }
            }
            return hash;
        }

        private static int valueHash(Object value) {
            return value instanceof byte[] bytes ? Arrays.hashCode(bytes) : Objects.hashCode(value);
        }
    }
}
