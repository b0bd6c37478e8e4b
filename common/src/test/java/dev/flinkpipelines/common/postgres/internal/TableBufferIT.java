package dev.flinkpipelines.common.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableSpec;
import dev.flinkpipelines.testkit.PostgresExtension;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How an idempotent append table's batches reach a real PostgreSQL: large batches by COPY, which
 * must store exactly what an INSERT would — also for values COPY's text format has to escape — and
 * stay idempotent: a batch holding an already stored row falls back to ON CONFLICT DO NOTHING
 * without undoing the transaction's earlier writes.
 */
class TableBufferIT {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension(false);

    private static final TableSpec APPEND =
            TableSpec.appendIgnoringDuplicates(
                    "buffer_append", "id", "name", "at", "day", "amount", "ok", "raw");
    private static final int LARGE = TableBuffer.COPY_MIN_ROWS * 2;

    @BeforeEach
    void setUp() throws SQLException {
        PG.execute(
                "DROP TABLE IF EXISTS buffer_append",
                "CREATE TABLE buffer_append (id INT PRIMARY KEY, name TEXT, at TIMESTAMPTZ, day DATE,"
                        + " amount NUMERIC(15,2), ok BOOLEAN, raw BYTEA)");
    }

    @Test
    void aLargeBatchIsCopiedAndStoresWhatAnInsertWould() throws SQLException {
        List<TableRow> rows = awkwardRows(0, LARGE);
        TableBuffer copied = write(rows);
        assertEquals(1, copied.copies(), "a batch of " + LARGE + " rows goes through COPY");
        assertEquals(0, copied.copiesRetriedAsInserts());
        List<String> viaCopy = PG.rows("SELECT * FROM buffer_append ORDER BY id");

        PG.execute("TRUNCATE buffer_append");
        TableBuffer inserted = write(rows.subList(0, TableBuffer.COPY_MIN_ROWS - 1));
        write(rows.subList(TableBuffer.COPY_MIN_ROWS - 1, TableBuffer.COPY_MIN_ROWS));
        for (int from = TableBuffer.COPY_MIN_ROWS;
                from < rows.size();
                from += TableBuffer.COPY_MIN_ROWS - 1) {
            write(rows.subList(from, Math.min(rows.size(), from + TableBuffer.COPY_MIN_ROWS - 1)));
        }
        assertEquals(0, inserted.copies(), "a small batch is inserted");
        assertEquals(viaCopy, PG.rows("SELECT * FROM buffer_append ORDER BY id"));
        assertEquals(LARGE, viaCopy.size());
    }

    @Test
    void aBatchHoldingAStoredRowIsInsertedIgnoringItAndEarlierWritesOfTheTransactionStay()
            throws SQLException {
        write(awkwardRows(LARGE - 1, LARGE)); // id LARGE-1 is already there, as after a replay
        try (Connection c = PG.connection()) {
            c.setAutoCommit(false);
            TableBuffer earlier = new TableBuffer(APPEND);
            awkwardRows(LARGE, 2 * LARGE).forEach(earlier::add);
            earlier.writeTo(c);
            TableBuffer replay = new TableBuffer(APPEND);
            awkwardRows(0, LARGE).forEach(replay::add);
            assertEquals(LARGE, replay.writeTo(c));
            assertEquals(
                    1,
                    replay.copiesRetriedAsInserts(),
                    "the COPY met the stored row and was retried");
            c.commit();
        }
        assertEquals(
                List.of(String.valueOf(2 * LARGE)), PG.rows("SELECT count(*) FROM buffer_append"));
        assertEquals(
                List.of("0", String.valueOf(2 * LARGE - 1)),
                PG.rows(
                        "SELECT min(id) FROM buffer_append UNION ALL SELECT max(id) FROM buffer_append"));
    }

    @Test
    void anErrorOtherThanADuplicateFailsTheBatch() throws SQLException {
        PG.execute(
                "ALTER TABLE buffer_append ADD CONSTRAINT buffer_append_amount_ck CHECK (amount >= 0)");
        List<TableRow> rows = new ArrayList<>(awkwardRows(0, LARGE));
        rows.set(
                5,
                TableRow.of(
                        "buffer_append",
                        5,
                        "neg",
                        null,
                        null,
                        new BigDecimal("-1.00"),
                        null,
                        null));
        SQLException e = assertThrows(SQLException.class, () -> write(rows));
        assertTrue(e.getMessage().contains("buffer_append_amount_ck"), e.getMessage());
        assertEquals(List.of("0"), PG.rows("SELECT count(*) FROM buffer_append"));
    }

    /** Writes the rows as one batch in one transaction. */
    private static TableBuffer write(List<TableRow> rows) throws SQLException {
        TableBuffer buffer = new TableBuffer(APPEND);
        rows.forEach(buffer::add);
        try (Connection c = PG.connection()) {
            c.setAutoCommit(false);
            try {
                assertEquals(rows.size(), buffer.writeTo(c));
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        return buffer;
    }

    /**
     * Rows whose values COPY's text format must escape or spell exactly: tabs, newlines,
     * backslashes, NULLs, bytes.
     */
    private static List<TableRow> awkwardRows(int from, int to) {
        String[] names = {
            "plain", "tab\there", "new\nline", "back\\slash", "\\N", "crlf\r\n", "ünïcødé €", ""
        };
        List<TableRow> rows = new ArrayList<>();
        for (int id = from; id < to; id++) {
            boolean nulls = id % 7 == 3;
            rows.add(
                    TableRow.of(
                            "buffer_append",
                            id,
                            nulls ? null : names[id % names.length],
                            nulls
                                    ? null
                                    : Instant.parse("2026-12-05T10:15:30.123456Z").plusSeconds(id),
                            nulls ? null : LocalDate.of(2026, 1, 1).plusDays(id),
                            nulls
                                    ? null
                                    : new BigDecimal("12345.6")
                                            .add(BigDecimal.valueOf(id))
                                            .setScale(2),
                            nulls ? null : id % 2 == 0,
                            nulls ? null : new byte[] {(byte) id, 0, (byte) 0xff, '\t', '\\'}));
        }
        return rows;
    }
}
