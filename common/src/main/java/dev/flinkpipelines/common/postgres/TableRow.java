package dev.flinkpipelines.common.postgres;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Objects;

/**
 * One row for one table, in the column order of that table's {@link TableSpec}. The exactly-once
 * sink consumes a single stream of these, so every table a job feeds moves in the same transaction.
 *
 * <p>Values are limited to the types {@link TableRowCodec} knows: {@code null}, String, Integer,
 * Long, Short, Double, Boolean, BigDecimal, java.time.Instant (TIMESTAMPTZ), java.time.LocalDate
 * and byte[] (BYTEA). Anything else is rejected when the row is built, not when it reaches
 * PostgreSQL.
 */
public final class TableRow {

    private final String table;
    private final Object[] values;

    private TableRow(String table, Object[] values) {
        this.table = Objects.requireNonNull(table, "table");
        this.values = values;
    }

    public static TableRow of(String table, Object... values) {
        for (int i = 0; i < values.length; i++) {
            if (!TableRowCodec.isSupported(values[i])) {
                throw new IllegalArgumentException(
                        "table "
                                + table
                                + ", column #"
                                + (i + 1)
                                + ": unsupported value type "
                                + values[i].getClass().getName());
            }
        }
        return new TableRow(table, values.clone());
    }

    /** For the codec only: trusts that the values were validated when written. */
    static TableRow trusted(String table, Object[] values) {
        return new TableRow(table, values);
    }

    public String table() {
        return table;
    }

    /**
     * Sets this row's values as parameters 1 to {@link #arity()} of {@code statement}, as the sink
     * writes them: instants as {@code timestamptz} in UTC, bytes as {@code bytea}, everything else
     * as the driver maps it. For statements such as {@link TableSpec#insertSql()}.
     */
    public void bindTo(PreparedStatement statement) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            Object value = values[i];
            if (value instanceof Instant instant) {
                statement.setObject(i + 1, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
            } else if (value instanceof byte[] bytes) {
                statement.setBytes(i + 1, bytes);
            } else {
                statement.setObject(i + 1, value);
            }
        }
    }

    public int arity() {
        return values.length;
    }

    public Object value(int index) {
        return values[index];
    }

    Object[] valuesUnsafe() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TableRow)) {
            return false;
        }
        TableRow other = (TableRow) o;
        return table.equals(other.table) && Arrays.deepEquals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * table.hashCode() + Arrays.deepHashCode(values);
    }

    @Override
    public String toString() {
        return table + Arrays.deepToString(values);
    }
}
