package dev.flinkpipelines.common.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableRowSerializer;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.junit.jupiter.api.Test;

/**
 * Every serializer of the sink's checkpointed state round-trips, and state written by the sink's
 * first version (fixtures produced with that version's serializers, commit eb1bf2c) still reads.
 */
class SinkSerializersTest {

    private static final List<TableRow> ROWS =
            List.of(
                    TableRow.of("proto_counts", 1, 2L),
                    TableRow.of(
                            "mixed",
                            "text\twith tab",
                            (short) 3,
                            1.5,
                            true,
                            new BigDecimal("12.34"),
                            Instant.parse("2025-11-30T15:30:00Z"),
                            LocalDate.parse("2025-11-30"),
                            new byte[] {0, -1, 7},
                            null));

    @Test
    void committableRoundTrips() throws IOException {
        PostgresCommittableSerializer serializer = new PostgresCommittableSerializer();
        PostgresCommittable t =
                new PostgresCommittable(
                        "user-events:1:42:987654321", 987654321L, 1_700_000_000_123L, 500, 7);
        assertEquals(t, serializer.deserialize(serializer.getVersion(), serializer.serialize(t)));
        assertEquals(PostgresCommittableSerializer.V2, serializer.getVersion());
    }

    @Test
    void firstVersionCommittableReadsWithAnUnknownXid() throws IOException {
        PostgresCommittable t =
                new PostgresCommittableSerializer()
                        .deserialize(1, fixture("prepared-transaction-v1.hex"));
        assertEquals(
                new PostgresCommittable(
                        "user-events:1:42", TransactionId.UNKNOWN_XID, 1_700_000_000_123L, 500, 0),
                t);
        assertFalse(t.hasXid());
    }

    @Test
    void writerStateRoundTrips() throws IOException {
        PostgresWriterStateSerializer serializer = new PostgresWriterStateSerializer();
        PostgresWriterState state =
                PostgresWriterState.of(3, 4, List.of("s:3:10:1234", "s:3:11:1240"));
        assertEquals(
                state,
                serializer.deserialize(serializer.getVersion(), serializer.serialize(state)));
        PostgresWriterState empty = PostgresWriterState.of(0, 1, List.of());
        assertEquals(
                empty,
                serializer.deserialize(serializer.getVersion(), serializer.serialize(empty)));
    }

    @Test
    void firstVersionWriterStateReadsAsCarriedRows() throws IOException {
        PostgresWriterState state =
                new PostgresWriterStateSerializer().deserialize(1, fixture("carried-rows-v1.hex"));
        assertFalse(state.hasOwnership());
        assertEquals(ROWS, state.carriedRows());
        assertEquals(List.of(), state.pendingGids());
        // never written again in the old form
        assertThrows(IOException.class, () -> new PostgresWriterStateSerializer().serialize(state));
    }

    @Test
    void unknownVersionsAreAClearError() {
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> new PostgresWriterStateSerializer().deserialize(9, new byte[0]));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
        e =
                assertThrows(
                        IOException.class,
                        () -> new PostgresCommittableSerializer().deserialize(9, new byte[0]));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }

    @Test
    void theTableNameIsWrittenExactlyAsWriteUtfWritesIt() throws Exception {
        // the row codec writes cached name bytes instead of calling writeUTF: rows staged in the
        // database and carried in checkpoints must keep their format
        for (String table :
                List.of("proto_counts", "public.view_ledger", "tablé_ü€", "x".repeat(300))) {
            java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
            try (java.io.DataOutputStream out = new java.io.DataOutputStream(expected)) {
                out.writeUTF(table);
                out.writeShort(1);
                out.writeByte(0); // a null value
            }
            for (int repeat = 0; repeat < 2; repeat++) { // computed, then cached
                java.io.ByteArrayOutputStream actual = new java.io.ByteArrayOutputStream();
                try (DataOutputViewStreamWrapper out = new DataOutputViewStreamWrapper(actual)) {
                    TableRowSerializer.INSTANCE.serialize(TableRow.of(table, (Object) null), out);
                }
                assertArrayEquals(expected.toByteArray(), actual.toByteArray(), table);
            }
        }
    }

    @Test
    void stagedRowEncodingRoundTrips() throws Exception {
        for (TableRow row : ROWS) {
            byte[] encoded = StagedRows.encode(row);
            assertEquals(row, StagedRows.decode(encoded));
            assertArrayEquals(encoded, StagedRows.encode(StagedRows.decode(encoded)));
        }
    }

    @Test
    void gidsCarryTheirXidAndFirstVersionGidsStillParse() {
        TransactionId id = new TransactionId("user-events", 2, 17, 123456789012L);
        assertEquals("user-events:2:17:123456789012", id.gid());
        assertEquals(id, TransactionId.parse(id.gid()).orElseThrow());
        TransactionId old = TransactionId.parse("user-events:2:17").orElseThrow();
        assertFalse(old.hasXid());
        assertEquals("user-events:2:17", old.gid());
        assertTrue(TransactionId.parse("other-app-gid").isEmpty());
        assertTrue(TransactionId.parse("a:b:c").isEmpty());
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in =
                SinkSerializersTest.class.getResourceAsStream("/sink-state-v1/" + name)) {
            return HexFormat.of()
                    .parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        }
    }
}
