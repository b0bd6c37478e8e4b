package dev.flinkpipelines.common.postgres;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A table the exactly-once sink writes, its columns in {@link TableRow} order, and how rows enter
 * it. The sink knows tables and rows, never domains.
 */
public final class TableSpec implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");

    /** How rows enter the table. */
    public enum WriteMode {
        /**
         * {@code COPY ... FROM STDIN}: the fastest path, for append-only tables. A row that breaks
         * a unique constraint fails the transaction, so use it where the job guarantees
         * uniqueness.
         */
        COPY,
        /**
         * Batched {@code INSERT ... ON CONFLICT DO NOTHING}: append-only and idempotent — a row
         * already present (say, after restoring from an older savepoint) is skipped.
         */
        INSERT_IGNORE_DUPLICATES,
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

    private TableSpec(String name, List<String> columns, WriteMode mode, List<String> keyColumns) {
        this.name = checkIdentifier(name);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("table " + name + " needs at least one column");
        }
        columns.forEach(TableSpec::checkIdentifier);
        keyColumns.forEach(TableSpec::checkIdentifier);
        for (String key : keyColumns) {
            if (!columns.contains(key)) {
                throw new IllegalArgumentException(
                        "table " + name + ": key column " + key + " is not among its columns " + columns);
            }
        }
        if (mode == WriteMode.UPSERT && (keyColumns.isEmpty() || keyColumns.size() == columns.size())) {
            throw new IllegalArgumentException(
                    "table " + name + ": an upsert needs key columns and at least one other column");
        }
        this.columns = List.copyOf(columns);
        this.mode = mode;
        this.keyColumns = List.copyOf(keyColumns);
    }

    /** Append-only through COPY. */
    public static TableSpec append(String name, String... columns) {
        return new TableSpec(name, List.of(columns), WriteMode.COPY, List.of());
    }

    /** Append-only, skipping rows that hit any unique constraint (idempotent replays). */
    public static TableSpec appendIgnoringDuplicates(String name, String... columns) {
        return new TableSpec(name, List.of(columns), WriteMode.INSERT_IGNORE_DUPLICATES, List.of());
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

    int[] keyPositions() {
        return keyColumns.stream().mapToInt(columns::indexOf).toArray();
    }

    String copySql() {
        return "COPY " + name + " (" + String.join(", ", columns) + ") FROM STDIN";
    }

    String insertSql() {
        String placeholders = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
        String insert = "INSERT INTO " + name + " (" + String.join(", ", columns) + ") VALUES (" + placeholders + ")";
        switch (mode) {
            case INSERT_IGNORE_DUPLICATES:
                return insert + " ON CONFLICT DO NOTHING";
            case UPSERT:
                List<String> updates = new ArrayList<>();
                for (String c : columns) {
                    if (!keyColumns.contains(c)) {
                        updates.add(c + " = EXCLUDED." + c);
                    }
                }
                return insert + " ON CONFLICT (" + String.join(", ", keyColumns) + ") DO UPDATE SET "
                        + String.join(", ", updates);
            default:
                return insert;
        }
    }

    private static String checkIdentifier(String identifier) {
        Objects.requireNonNull(identifier, "identifier");
        if (!IDENTIFIER.matcher(identifier).matches()) {
            throw new IllegalArgumentException(
                    "'" + identifier + "' is not a plain lower-case SQL identifier (schema.table allowed)");
        }
        return identifier;
    }

    @Override
    public String toString() {
        return name + columns + " " + mode + (keyColumns.isEmpty() ? "" : " key " + keyColumns);
    }
}
