package dev.flinkpipelines.common.postgres;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.MathUtils;

/** How rows reach the sink's writer subtasks when the job's edges do not keep them in order. */
public final class TableRouting {

    private TableRouting() {}

    /**
     * Sends each row to the writer subtask its table key belongs to — the upsert key, or the whole
     * row for other tables — so rows that touch the same database row always meet in the same
     * transaction. For BATCH execution, where the scheduler does not keep one-to-one edges to the
     * sink (measured: parallel upserts of one key raced). Not for streaming: there the keyed
     * operator's edge to the sink already is one-to-one, and a separate sink task can meet its own
     * still-prepared transaction's locks at end of input.
     *
     * <p>A custom partitioning by the key's hash, not a {@code keyBy}: in BATCH execution a keyed
     * input is sorted, and the sink needs only the partitioning. That sort serialized, compared and
     * copied every row once more (the sink's input is every row a job writes: 495,000 ledger rows
     * for 500,000 views). Rows of one database row reach their writer in the order they were
     * emitted (one keyed operator emits all versions of a row); {@link TableSpec#keepingGreatest}
     * keeps running totals from moving backwards under any other order, and on replays.
     */
    public static DataStream<TableRow> byKey(DataStream<TableRow> rows, List<TableSpec> tables) {
        Map<String, int[]> keyPositions = new HashMap<>();
        for (TableSpec t : tables) {
            keyPositions.put(
                    t.name(), t.mode() == TableSpec.WriteMode.UPSERT ? t.keyPositions() : null);
        }
        return rows.partitionCustom(new ByKeyHash(), new RoutingKey(keyPositions));
    }

    /** The writer subtask of a routing key: its hash spread over the subtasks. */
    private static final class ByKeyHash implements Partitioner<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public int partition(Integer key, int numPartitions) {
            return MathUtils.murmurHash(key) % numPartitions;
        }
    }

    /**
     * A hash of the table name and the values that identify the database row: rows that touch the
     * same database row always get the same one; rows of different database rows may share it,
     * which only means they meet in one writer. An int rather than the values joined into a string:
     * building that string (Instant and BigDecimal formatted) and BATCH execution's sort (then
     * still a keyBy) on long variable-length keys were 5 % and most of 14 % of the video-views
     * run's CPU samples (JFR). Every value type a row holds hashes the same in every JVM.
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
