package dev.flinkpipelines.testkit.pipeline;

import dev.flinkpipelines.common.postgres.TableOutput;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableSink;
import dev.flinkpipelines.common.postgres.TableSpec;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * A job's table end for the pipeline tests: collects every row the pipeline hands its sink, in the
 * order the sink would receive them, instead of writing PostgreSQL. What the tests assert is the
 * pipeline's output — every version of an upsert row, every append — which the real sink, tested on
 * its own against PostgreSQL, turns into the tables.
 */
public final class CollectedTables implements TableSink {

    private final Map<String, TableSpec> tables = new HashMap<>();
    private CloseableIterator<TableRow> rows;
    private List<TableRow> collected;

    @Override
    public void write(TableOutput output) {
        if (rows != null) {
            throw new IllegalStateException("one table output per job");
        }
        output.tables().forEach(t -> tables.put(t.name(), t));
        rows = output.rows().collectAsync();
    }

    /** Runs the job in {@code env} to its end (its input is a list) and keeps every row. */
    public CollectedTables run(StreamExecutionEnvironment env, String jobName) throws Exception {
        if (rows == null) {
            throw new IllegalStateException("the pipeline wrote no table output");
        }
        JobClient job = env.executeAsync(jobName);
        List<TableRow> all = new ArrayList<>();
        try (CloseableIterator<TableRow> it = rows) {
            it.forEachRemaining(all::add);
        }
        job.getJobExecutionResult().get();
        collected = all;
        return this;
    }

    /**
     * The rows written to {@code table}, in arrival order, each as its {@code columns} joined by
     * {@code |} (instants in ISO-8601, decimals plain, bytes as UTF-8 text).
     */
    public List<String> rows(String table, String... columns) {
        TableSpec spec = spec(table);
        int[] positions = new int[columns.length];
        for (int i = 0; i < columns.length; i++) {
            positions[i] = spec.columns().indexOf(columns[i]);
            if (positions[i] < 0) {
                throw new IllegalArgumentException(table + " has no column " + columns[i]);
            }
        }
        List<String> out = new ArrayList<>();
        for (TableRow row : collected()) {
            if (row.table().equals(table)) {
                List<String> values = new ArrayList<>();
                for (int p : positions) {
                    values.add(text(row.value(p)));
                }
                out.add(String.join("|", values));
            }
        }
        return out;
    }

    /**
     * Per key of an upsert table, the last version to arrive, each as {@code columns} joined by
     * {@code |}, sorted: what the table holds when versions arrive in order, which one sink subtask
     * fed by one keyed subtask guarantees. For outputs whose intermediate versions depend on how
     * the inputs interleave (several sources), while the final ones do not.
     */
    public List<String> latest(String table, String... columns) {
        TableSpec spec = spec(table);
        if (spec.mode() != TableSpec.WriteMode.UPSERT) {
            throw new IllegalArgumentException(table + " is not an upsert table");
        }
        String[] key = spec.keyColumns().toArray(new String[0]);
        List<String> keys = rows(table, key);
        List<String> values = rows(table, columns);
        Map<String, String> last = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            last.put(keys.get(i), values.get(i));
        }
        return last.values().stream().sorted().toList();
    }

    private TableSpec spec(String table) {
        TableSpec spec = tables.get(table);
        if (spec == null) {
            throw new IllegalArgumentException(
                    "the pipeline writes no table "
                            + table
                            + " (it writes "
                            + tables.keySet()
                            + ")");
        }
        return spec;
    }

    private List<TableRow> collected() {
        if (collected == null) {
            throw new IllegalStateException("run the job first");
        }
        return collected;
    }

    private static String text(Object value) {
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return String.valueOf(value);
    }
}
