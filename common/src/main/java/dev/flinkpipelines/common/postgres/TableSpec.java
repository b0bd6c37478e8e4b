package dev.flinkpipelines.common.postgres;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.annotation.Internal;

/**
 * A table the exactly-once sink writes, its columns in {@link TableRow} order, and how rows enter
 * it. The sink knows tables and rows, never domains.
 */
public final class TableSpec implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Pattern IDENTIFIER =
            Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");

    /** How rows enter the table. */
    public enum WriteMode {
        /**
         * Append-only and idempotent: a row that meets a unique constraint (say, after restoring
         * from an older savepoint) is skipped. Written by {@code COPY}, falling back to batched
         * {@code INSERT ... ON CONFLICT DO NOTHING} for a batch that holds such a row.
         */
        APPEND_IGNORING_DUPLICATES,
        /**
         * Batched {@code INSERT ... ON CONFLICT (key) DO UPDATE}: the last row per key wins. Rows
         * with the same key inside one transaction are collapsed to the last before writing.
         */
        UPSERT
    }

    private final String name;
    private final List<String> columns;
    private final WriteMode mode;
    private final List<String> keyColumns;

    /** For upserts of monotonic values: the row with the greatest value of this column wins. */
    private final String newestBy;

    private TableSpec(String name, List<String> columns, WriteMode mode, List<String> keyColumns) {
        this(name, columns, mode, keyColumns, null);
    }

    private TableSpec(
            String name,
            List<String> columns,
            WriteMode mode,
            List<String> keyColumns,
            String newestBy) {
        this.name = checkIdentifier(name);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("table " + name + " needs at least one column");
        }
        columns.forEach(TableSpec::checkIdentifier);
        keyColumns.forEach(TableSpec::checkIdentifier);
        for (String key : keyColumns) {
            if (!columns.contains(key)) {
                throw new IllegalArgumentException(
                        "table "
                                + name
                                + ": key column "
                                + key
                                + " is not among its columns "
                                + columns);
            }
        }
        if (mode == WriteMode.UPSERT
                && (keyColumns.isEmpty() || keyColumns.size() == columns.size())) {
            throw new IllegalArgumentException(
                    "table "
                            + name
                            + ": an upsert needs key columns and at least one other column");
        }
        this.columns = List.copyOf(columns);
        this.mode = mode;
        this.keyColumns = List.copyOf(keyColumns);
        if (newestBy != null
                && (mode != WriteMode.UPSERT
                        || !columns.contains(newestBy)
                        || keyColumns.contains(newestBy))) {
            throw new IllegalArgumentException(
                    "table " + name + ": " + newestBy + " must be a non-key column of an upsert");
        }
        this.newestBy = newestBy;
    }

    /**
     * This upsert, but a row only replaces one whose {@code column} is not greater: for running
     * totals that only grow, so rows arriving out of order (BATCH execution sorts by key without
     * keeping arrival order) or replayed from an older savepoint never move a total backwards.
     */
    public TableSpec keepingGreatest(String column) {
        return new TableSpec(name, columns, mode, keyColumns, column);
    }

    /** Position of the version column, or -1. */
    @Internal
    public int newestByPosition() {
        return newestBy == null ? -1 : columns.indexOf(newestBy);
    }

    /** Append-only, skipping rows that hit any unique constraint (idempotent replays). */
    public static TableSpec appendIgnoringDuplicates(String name, String... columns) {
        return new TableSpec(
                name, List.of(columns), WriteMode.APPEND_IGNORING_DUPLICATES, List.of());
    }

    /** Insert or update by {@code keyColumns}, which must be a unique constraint of the table. */
    public static TableSpec upsert(String name, List<String> keyColumns, String... columns) {
        return new TableSpec(name, List.of(columns), WriteMode.UPSERT, keyColumns);
    }

    public String name() {
        return name;
    }

    public List<String> columns() {
        return columns;
    }

    public WriteMode mode() {
        return mode;
    }

    public List<String> keyColumns() {
        return keyColumns;
    }

    @Internal
    public int[] keyPositions() {
        return keyColumns.stream().mapToInt(columns::indexOf).toArray();
    }

    @Internal
    public String copySql() {
        return "COPY " + name + " (" + String.join(", ", columns) + ") FROM STDIN";
    }

    /**
     * The statement the sink runs for a batch of this table's rows that it does not COPY: {@code
     * INSERT ... ON CONFLICT DO NOTHING} for an idempotent append, {@code ... DO UPDATE} for an
     * upsert. Public so a reference sink (the benchmark's XA run) writes with the same semantics.
     */
    public String insertSql() {
        String placeholders = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
        String insert =
                "INSERT INTO "
                        + name
                        + " ("
                        + String.join(", ", columns)
                        + ") VALUES ("
                        + placeholders
                        + ")";
        if (mode == WriteMode.APPEND_IGNORING_DUPLICATES) {
            return insert + " ON CONFLICT DO NOTHING";
        }
        List<String> updates = new ArrayList<>();
        for (String c : columns) {
            if (!keyColumns.contains(c)) {
                updates.add(c + " = EXCLUDED." + c);
            }
        }
        String upsert =
                insert
                        + " ON CONFLICT ("
                        + String.join(", ", keyColumns)
                        + ") DO UPDATE SET "
                        + String.join(", ", updates);
        String table = name.contains(".") ? name.substring(name.indexOf('.') + 1) : name;
        return newestBy == null
                ? upsert
                : upsert + " WHERE " + table + "." + newestBy + " <= EXCLUDED." + newestBy;
    }

    private static String checkIdentifier(String identifier) {
        Objects.requireNonNull(identifier, "identifier");
        if (!IDENTIFIER.matcher(identifier).matches()) {
            throw new IllegalArgumentException(
                    "'"
                            + identifier
                            + "' is not a plain lower-case SQL identifier (schema.table allowed)");
        }
        return identifier;
    }

    @Override
    public String toString() {
        return name + columns + " " + mode + (keyColumns.isEmpty() ? "" : " key " + keyColumns);
    }
}
