package dev.flinkpipelines.common.postgres.internal;

import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableSpec;
import dev.flinkpipelines.common.time.IsoTimestamps;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.postgresql.PGConnection;

/**
 * The rows of one table waiting to be written inside the sink's open transaction. Rows stay in
 * arrival order; for upserts only the last row per key is kept, which is also what makes a
 * rewritten multi-row INSERT legal (PostgreSQL rejects one statement touching a key twice).
 *
 * <p>Appends of at least {@link #COPY_MIN_ROWS} rows go through {@code COPY}, which costs
 * PostgreSQL 15–25 % less CPU per row than batched INSERTs on the jobs' indexed tables (measured:
 * docs/BENCHMARKS.md). COPY has no ON CONFLICT, so it runs under a savepoint: a unique violation (a
 * replay after restoring an older savepoint, a resend past the dedup horizon) rolls back just this
 * batch, which is then written by {@code INSERT ... ON CONFLICT DO NOTHING} — the same rows end up
 * in the table either way. Smaller batches (dead letters, say) skip the savepoint's round trips and
 * insert directly.
 */
@Internal
public final class TableBuffer {

    /** Below this many rows an INSERT batch is as cheap as COPY and needs no savepoint. */
    static final int COPY_MIN_ROWS = 64;

    private static final String UNIQUE_VIOLATION = "23505";

    private final TableSpec spec;
    private final int[] keyPositions;
    private final int newestByPosition;
    private final List<TableRow> appendRows = new ArrayList<>();
    private final Map<List<Object>, TableRow> upsertRows = new LinkedHashMap<>();
    private long copies;
    private long copiesRetriedAsInserts;

    TableBuffer(TableSpec spec) {
        this.spec = spec;
        this.keyPositions = spec.keyPositions();
        this.newestByPosition = spec.newestByPosition();
    }

    TableSpec spec() {
        return spec;
    }

    void add(TableRow row) {
        if (row.arity() != spec.columns().size()) {
            throw new IllegalArgumentException(
                    "row for "
                            + spec.name()
                            + " has "
                            + row.arity()
                            + " values, the table spec has "
                            + spec.columns().size()
                            + " columns "
                            + spec.columns()
                            + ": "
                            + row);
        }
        if (spec.mode() == TableSpec.WriteMode.UPSERT) {
            Object[] key = new Object[keyPositions.length];
            for (int i = 0; i < keyPositions.length; i++) {
                key[i] = row.value(keyPositions[i]);
            }
            // remove first so the row moves to the end: order of last writes is kept
            List<Object> k = Arrays.asList(key);
            TableRow previous = upsertRows.remove(k);
            upsertRows.put(k, previous != null && isGreater(previous, row) ? previous : row);
        } else {
            appendRows.add(row);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private boolean isGreater(TableRow a, TableRow b) {
        if (newestByPosition < 0) {
            return false;
        }
        Comparable va = (Comparable) a.value(newestByPosition);
        Comparable vb = (Comparable) b.value(newestByPosition);
        return va != null && vb != null && va.compareTo(vb) > 0;
    }

    int size() {
        return appendRows.size() + upsertRows.size();
    }

    Collection<TableRow> rows() {
        return spec.mode() == TableSpec.WriteMode.UPSERT ? upsertRows.values() : appendRows;
    }

    void clear() {
        appendRows.clear();
        upsertRows.clear();
    }

    /** Writes every buffered row into the connection's open transaction; returns the row count. */
    int writeTo(Connection connection) throws SQLException {
        int n = size();
        if (n == 0) {
            return 0;
        }
        if (spec.mode() == TableSpec.WriteMode.APPEND_IGNORING_DUPLICATES && n >= COPY_MIN_ROWS) {
            copyIgnoringDuplicates(connection);
        } else {
            insert(connection);
        }
        clear();
        return n;
    }

    /**
     * Batches written by COPY, and those of them that met a duplicate and were inserted instead.
     */
    long copies() {
        return copies;
    }

    long copiesRetriedAsInserts() {
        return copiesRetriedAsInserts;
    }

    private void copyIgnoringDuplicates(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SAVEPOINT sink_copy");
            copies++;
            try {
                copy(connection);
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                // only this batch is undone; earlier writes of the transaction stay
                statement.execute("ROLLBACK TO SAVEPOINT sink_copy");
                copiesRetriedAsInserts++;
                insert(connection);
            }
            statement.execute("RELEASE SAVEPOINT sink_copy");
        }
    }

    private void copy(Connection connection) throws SQLException {
        StringBuilder text = new StringBuilder(64 * size());
        for (TableRow row : appendRows) {
            for (int i = 0; i < row.arity(); i++) {
                if (i > 0) {
                    text.append('\t');
                }
                appendCopyValue(text, row.value(i));
            }
            text.append('\n');
        }
        try {
            connection
                    .unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn(spec.copySql(), new StringReader(text.toString()));
        } catch (IOException e) {
            throw new SQLException("COPY into " + spec.name() + " failed: " + e.getMessage(), e);
        }
    }

    private void insert(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(spec.insertSql())) {
            for (TableRow row : rows()) {
                row.bindTo(statement);
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** PostgreSQL COPY text format: tab-separated, backslash escapes, {@code \N} for NULL. */
    static void appendCopyValue(StringBuilder out, Object value) {
        if (value == null) {
            out.append("\\N");
        } else if (value instanceof byte[]) {
            // bytea hex form is \x..., and the backslash itself must be escaped in COPY text
            out.append("\\\\x");
            for (byte b : (byte[]) value) {
                out.append(Character.forDigit((b >> 4) & 0xF, 16))
                        .append(Character.forDigit(b & 0xF, 16));
            }
        } else if (value instanceof Boolean) {
            out.append(((Boolean) value) ? 't' : 'f');
        } else if (value instanceof Instant) {
            IsoTimestamps.append(out, (Instant) value); // ISO-8601 with Z, which PostgreSQL reads
        } else if (value instanceof BigDecimal) {
            out.append(((BigDecimal) value).toPlainString());
        } else if (value instanceof String) {
            String s = (String) value;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '\\':
                        out.append("\\\\");
                        break;
                    case '\t':
                        out.append("\\t");
                        break;
                    case '\n':
                        out.append("\\n");
                        break;
                    case '\r':
                        out.append("\\r");
                        break;
                    default:
                        out.append(c);
                }
            }
        } else {
            // numbers, LocalDate: their toString is what PostgreSQL reads
            out.append(value);
        }
    }
}
