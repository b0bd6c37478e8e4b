package dev.flinkpipelines.testkit.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.testkit.PostgresExtension;
import dev.flinkpipelines.testkit.corpus.ProducedCorpus.Landed;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dead_letters check passes exactly the right rows and names every way a row can be wrong. */
class DeadLetterAssertionsTest {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final long T0 = 1_764_500_000_000L;
    private static final ProducedCorpus CORPUS =
            ProducedCorpus.of(
                    "t",
                    List.of(
                            new Landed<>(
                                    new MalformedRecord(
                                            MalformedKind.NOT_JSON_TEXT,
                                            "hello",
                                            "hello".getBytes(StandardCharsets.UTF_8),
                                            ExpectedCode.NOT_JSON),
                                    "t",
                                    0,
                                    0,
                                    T0),
                            new Landed<>(
                                    new MalformedRecord(
                                            MalformedKind.TOMBSTONE,
                                            "null value",
                                            null,
                                            ExpectedCode.EMPTY_RECORD),
                                    "t",
                                    1,
                                    0,
                                    T0 + 1),
                            new Landed<>(
                                    new MalformedRecord(
                                            MalformedKind.NUL_BYTES,
                                            "NUL and invalid UTF-8",
                                            new byte[] {'{', 0, (byte) 0xFF},
                                            ExpectedCode.INVALID_UTF8),
                                    "t",
                                    0,
                                    2,
                                    T0 + 2)),
                    List.of());

    @BeforeEach
    void exactRows() throws Exception {
        writeExactRows();
    }

    /** One row per corpus record, as the job must write it, and a row of another job. */
    private static void writeExactRows() throws Exception {
        PG.execute("TRUNCATE dead_letters");
        insert("t", 0, 0, "hello".getBytes(StandardCharsets.UTF_8), "hello", "NOT_JSON", T0);
        insert("t", 1, 0, new byte[0], "", "EMPTY_RECORD", T0 + 1);
        insert(
                "t",
                0,
                2,
                new byte[] {'{', 0, (byte) 0xFF},
                "{\u2400\ufffd",
                "INVALID_UTF8",
                T0 + 2);
        // another job's dead letters are not this job's business
        PG.execute(
                "INSERT INTO dead_letters (job_name, kafka_topic, kafka_partition, kafka_offset, error_code, reason, seen_at)"
                        + " VALUES ('other', 't', 0, 1, 'NOT_JSON', 'x', now())");
    }

    @Test
    void exactlyTheCorpusPasses() throws Exception {
        assertEquals(3, DeadLetterAssertions.assertExactlyTheCorpus(PG, "job", CORPUS));
    }

    @Test
    void everyKindOfDifferenceIsReported() throws Exception {
        assertFails(
                "UPDATE dead_letters SET error_code = 'WRONG_TYPE' WHERE kafka_offset = 0 AND kafka_partition = 0",
                "error code WRONG_TYPE, expected NOT_JSON");
        assertFails(
                "UPDATE dead_letters SET raw_bytes = '\\x7b00' WHERE kafka_offset = 2",
                "raw_bytes differ");
        assertFails(
                "UPDATE dead_letters SET raw_text = '{?' WHERE kafka_offset = 2",
                "raw_text differs");
        assertFails(
                "UPDATE dead_letters SET kafka_timestamp = kafka_timestamp + interval '1 ms' WHERE kafka_partition = 1",
                "kafka_timestamp");
        assertFails(
                "UPDATE dead_letters SET reason = repeat('x', 1001) WHERE kafka_partition = 1",
                "reason of 1001 characters");
        assertFails(
                "DELETE FROM dead_letters WHERE kafka_partition = 1",
                "t/1@0 null value: in dead_letters 0 times");
        assertFails(
                "UPDATE dead_letters SET kafka_offset = 5 WHERE kafka_partition = 1",
                "not a corpus record");
    }

    private static void assertFails(String change, String message) throws Exception {
        writeExactRows();
        PG.execute(change);
        AssertionError error =
                assertThrows(
                        AssertionError.class,
                        () -> DeadLetterAssertions.assertExactlyTheCorpus(PG, "job", CORPUS));
        assertTrue(error.getMessage().contains(message), error.getMessage());
    }

    private static void insert(
            String topic,
            int partition,
            long offset,
            byte[] bytes,
            String text,
            String code,
            long timestamp)
            throws Exception {
        try (Connection c = PG.connection();
                PreparedStatement s =
                        c.prepareStatement(
                                "INSERT INTO dead_letters (job_name, kafka_topic, kafka_partition, kafka_offset,"
                                        + " raw_text, raw_bytes, error_code, reason, kafka_timestamp, seen_at) VALUES ('job', ?, ?, ?, ?, ?, ?, 'why', ?, now())")) {
            s.setString(1, topic);
            s.setInt(2, partition);
            s.setLong(3, offset);
            s.setString(4, text);
            s.setBytes(5, bytes);
            s.setString(6, code);
            s.setTimestamp(7, new Timestamp(timestamp));
            s.executeUpdate();
        }
    }
}
