package dev.flinkpipelines.common.postgres.internal;

import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableRowSerializer;
import dev.flinkpipelines.common.postgres.TableSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;

/**
 * The staging table {@code flink_sink_staged_rows} (sql/migrations/V7). A writer whose previous
 * transaction is still prepared must not write rows that transaction may lock; it stages them here,
 * in its own open transaction, where nothing can wait on a lock. When that transaction commits, its
 * committer moves the staged rows into their tables and deletes them in one transaction, so moving
 * twice (a commit repeated after a restore) finds nothing the second time.
 */
@Internal
public final class StagedRows {

    public static final String TABLE = "flink_sink_staged_rows";

    private StagedRows() {}

    /** A transaction's committed, not yet moved rows. */
    public record Staged(int subtask, long xid) {}

    /**
     * Adds rows to the connection's open transaction, numbered from {@code firstSeq}; returns the
     * next seq.
     */
    static long stage(
            Connection connection,
            String sinkId,
            int subtask,
            long xid,
            long firstSeq,
            Collection<TableRow> rows)
            throws SQLException {
        long seq = firstSeq;
        try (PreparedStatement s =
                connection.prepareStatement(
                        "INSERT INTO "
                                + TABLE
                                + " (sink_id, subtask, xid, seq, row_data) VALUES (?, ?, ?, ?, ?)")) {
            for (TableRow row : rows) {
                s.setString(1, sinkId);
                s.setInt(2, subtask);
                s.setLong(3, xid);
                s.setLong(4, seq++);
                s.setBytes(5, encode(row));
                s.addBatch();
            }
            s.executeBatch();
        }
        return seq;
    }

    /** Whether any committed rows of the sink wait to be moved. */
    static boolean any(Connection connection, String sinkId) throws SQLException {
        try (PreparedStatement s =
                connection.prepareStatement(
                        "SELECT 1 FROM " + TABLE + " WHERE sink_id = ? LIMIT 1")) {
            s.setString(1, sinkId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The transactions whose committed rows of the sink wait to be moved. */
    public static List<Staged> list(Connection connection, String sinkId) throws SQLException {
        List<Staged> staged = new ArrayList<>();
        try (PreparedStatement s =
                connection.prepareStatement(
                        "SELECT DISTINCT subtask, xid FROM "
                                + TABLE
                                + " WHERE sink_id = ? ORDER BY xid")) {
            s.setString(1, sinkId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    staged.add(new Staged(rs.getInt(1), rs.getLong(2)));
                }
            }
        }
        return staged;
    }

    /** Deletes a transaction's staged rows without moving them; returns how many. */
    public static int delete(Connection connection, String sinkId, long xid) throws SQLException {
        try (PreparedStatement s =
                connection.prepareStatement(
                        "DELETE FROM " + TABLE + " WHERE sink_id = ? AND xid = ?")) {
            s.setString(1, sinkId);
            s.setLong(2, xid);
            return s.executeUpdate();
        }
    }

    /**
     * Moves transaction {@code xid}'s staged rows into their tables, in their staged order, and
     * deletes them — one transaction on {@code connection}, committed here. Returns the rows moved
     * (0 when they were moved before).
     */
    static long move(
            Connection connection,
            String sinkId,
            long xid,
            Map<String, TableSpec> tables,
            int batchSize)
            throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            Map<String, TableBuffer> buffers = new LinkedHashMap<>();
            long moved = 0;
            int buffered = 0;
            try (PreparedStatement s =
                    connection.prepareStatement(
                            "SELECT row_data FROM "
                                    + TABLE
                                    + " WHERE sink_id = ? AND xid = ? ORDER BY seq FOR UPDATE")) {
                // a cursor: a long backlog of staged rows is not read into memory at once
                s.setFetchSize(batchSize);
                s.setString(1, sinkId);
                s.setLong(2, xid);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        TableRow row = decode(rs.getBytes(1));
                        TableSpec spec = tables.get(row.table());
                        if (spec == null) {
                            throw new SQLException(
                                    "staged row for table "
                                            + row.table()
                                            + " that sink "
                                            + sinkId
                                            + " does not write (its tables: "
                                            + tables.keySet()
                                            + ")",
                                    "42P01");
                        }
                        buffers.computeIfAbsent(row.table(), t -> new TableBuffer(spec)).add(row);
                        moved++;
                        if (++buffered >= batchSize) {
                            // in arrival order: later rows of an upsert key must overwrite earlier
                            // ones
                            for (TableBuffer buffer : buffers.values()) {
                                buffer.writeTo(connection);
                            }
                            buffered = 0;
                        }
                    }
                }
            }
            for (TableBuffer buffer : buffers.values()) {
                buffer.writeTo(connection);
            }
            delete(connection, sinkId, xid);
            connection.commit();
            return moved;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    static byte[] encode(TableRow row) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
            try (DataOutputViewStreamWrapper out = new DataOutputViewStreamWrapper(bytes)) {
                TableRowSerializer.INSTANCE.serialize(row, out);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("encoding a row in memory cannot fail", e);
        }
    }

    static TableRow decode(byte[] data) throws SQLException {
        try (DataInputViewStreamWrapper in =
                new DataInputViewStreamWrapper(new ByteArrayInputStream(data))) {
            return TableRowSerializer.INSTANCE.deserialize(in);
        } catch (IOException e) {
            throw new SQLException("a staged row does not decode: " + e.getMessage(), "XX001", e);
        }
    }
}
