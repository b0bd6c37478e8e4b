package dev.flinkpipelines.e2e;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.BiPredicate;

/**
 * One table (or topic) compared row by row: the expected rows by key, computed by {@link
 * Expectation} from the input topics, and the actual rows, read with a query whose first column is
 * the key and whose other columns are the compared ones. Both sides are rendered the same way
 * ({@link #cell}): timestamps as ISO instants in UTC, numbers without trailing zeros, bytes in hex,
 * NULL as {@code null}, columns joined with {@code |}.
 */
final class TableCheck {

    final String name;

    /** The compared columns, for the report and the diff. */
    final String columns;

    final Map<String, String> expected;
    private final String sql;

    /**
     * Whether an actual row matches the expected one; equality unless a check needs more latitude.
     */
    private final BiPredicate<String, String> matches;

    /** Filled by {@link #readActual} or {@link #setActual}: key -> every row with that key. */
    private Map<String, List<String>> actual;

    TableCheck(String name, String columns, Map<String, String> expected, String sql) {
        this(name, columns, expected, sql, String::equals);
    }

    TableCheck(
            String name,
            String columns,
            Map<String, String> expected,
            String sql,
            BiPredicate<String, String> matches) {
        this.name = name;
        this.columns = columns;
        this.expected = expected;
        this.sql = sql;
        this.matches = matches;
    }

    boolean hasQuery() {
        return sql != null;
    }

    void readActual(Connection c) throws SQLException {
        Map<String, List<String>> rows = new TreeMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                StringJoiner row = new StringJoiner("|");
                for (int i = 2; i <= meta.getColumnCount(); i++) {
                    row.add(cell(rs, i, meta.getColumnType(i)));
                }
                rows.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(row.toString());
            }
        }
        actual = rows;
    }

    Map<String, List<String>> actualRows() {
        return actual;
    }

    /**
     * For checks whose actual side is not a table (the events_clean topic), and for a snapshot's
     * rows.
     */
    void setActual(Map<String, List<String>> rows) {
        actual = rows;
    }

    private static String cell(ResultSet rs, int i, int type) throws SQLException {
        switch (type) {
            case Types.TIMESTAMP_WITH_TIMEZONE:
            case Types.TIMESTAMP:
                OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
                return t == null ? "null" : ts(t.toInstant());
            case Types.NUMERIC:
            case Types.DECIMAL:
                return dec(rs.getBigDecimal(i));
            case Types.BINARY:
            case Types.VARBINARY:
            case Types.LONGVARBINARY:
                byte[] bytes = rs.getBytes(i);
                return bytes == null ? "null" : HexFormat.of().formatHex(bytes);
            case Types.BIT:
            case Types.BOOLEAN:
                boolean b = rs.getBoolean(i);
                return rs.wasNull() ? "null" : String.valueOf(b);
            default:
                String s = rs.getString(i);
                return s == null ? "null" : s.strip();
        }
    }

    static String ts(Instant t) {
        return t == null ? "null" : t.toString();
    }

    static String ts(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    static String dec(BigDecimal d) {
        return d == null ? "null" : d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }

    static String row(Object... cells) {
        StringJoiner row = new StringJoiner("|");
        for (Object cell : cells) {
            row.add(
                    cell == null
                            ? "null"
                            : cell instanceof BigDecimal d ? dec(d) : cell.toString());
        }
        return row.toString();
    }

    // ---- the comparison ----

    /** How the actual rows differ from the expected ones. */
    record Diff(
            String table,
            String columns,
            int expectedRows,
            int actualRows,
            List<String> missing,
            List<String> unexpected,
            List<String> doubled,
            List<String> different)
            implements java.io.Serializable {

        boolean exact() {
            return missing.isEmpty()
                    && unexpected.isEmpty()
                    && doubled.isEmpty()
                    && different.isEmpty();
        }

        /**
         * Every difference, one line each (at most {@code limit} per kind), for the failure
         * message.
         */
        String describe(int limit) {
            StringBuilder out =
                    new StringBuilder(
                            table
                                    + ": expected "
                                    + expectedRows
                                    + " rows, found "
                                    + actualRows
                                    + " (missing "
                                    + missing.size()
                                    + ", unexpected "
                                    + unexpected.size()
                                    + ", doubled "
                                    + doubled.size()
                                    + ", different "
                                    + different.size()
                                    + "); columns "
                                    + columns);
            append(out, "missing", missing, limit);
            append(out, "unexpected", unexpected, limit);
            append(out, "doubled", doubled, limit);
            append(out, "different", different, limit);
            return out.toString();
        }

        private static void append(StringBuilder out, String what, List<String> lines, int limit) {
            for (int i = 0; i < Math.min(limit, lines.size()); i++) {
                out.append("\n    ").append(what).append(' ').append(lines.get(i));
            }
            if (lines.size() > limit) {
                out.append("\n    ... and ")
                        .append(lines.size() - limit)
                        .append(" more ")
                        .append(what);
            }
        }
    }

    Diff diff() {
        if (actual == null) {
            throw new IllegalStateException("actual rows of " + name + " were not read");
        }
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> doubled = new ArrayList<>();
        List<String> different = new ArrayList<>();
        int actualRows = 0;
        for (List<String> rows : actual.values()) {
            actualRows += rows.size();
        }
        Map<String, String> sorted = new TreeMap<>(expected);
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            List<String> rows = actual.get(e.getKey());
            if (rows == null) {
                missing.add("key " + e.getKey() + ": expected " + e.getValue());
            } else if (rows.size() > 1) {
                doubled.add(
                        "key "
                                + e.getKey()
                                + ": "
                                + rows.size()
                                + " rows "
                                + rows
                                + ", expected "
                                + e.getValue());
            } else if (!matches.test(e.getValue(), rows.get(0))) {
                different.add(
                        "key "
                                + e.getKey()
                                + ": expected "
                                + e.getValue()
                                + ", actual "
                                + rows.get(0));
            }
        }
        for (Map.Entry<String, List<String>> a : actual.entrySet()) {
            if (!expected.containsKey(a.getKey())) {
                unexpected.add("key " + a.getKey() + ": actual " + a.getValue());
            }
        }
        return new Diff(
                name,
                columns,
                expected.size(),
                actualRows,
                missing,
                unexpected,
                doubled,
                different);
    }

    /** Rows per key of a list of keyed rows (for checks built from something else than SQL). */
    static Map<String, List<String>> group(List<Map.Entry<String, String>> rows) {
        Map<String, List<String>> grouped = new LinkedHashMap<>();
        for (Map.Entry<String, String> row : rows) {
            grouped.computeIfAbsent(row.getKey(), k -> new ArrayList<>()).add(row.getValue());
        }
        return grouped;
    }
}
