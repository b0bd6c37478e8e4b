package dev.flinkpipelines.common.deadletter;

import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableSpec;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** How a {@link DeadLetter} is stored: the {@code dead_letters} table (sql/migrations/V1). */
public final class DeadLetterRows {

    public static final String TABLE_NAME = "dead_letters";

    /**
     * Idempotent append: the table is unique on (job, topic, partition, offset), so a replay after
     * restoring from an older savepoint cannot double a dead letter.
     */
    public static final TableSpec TABLE =
            TableSpec.appendIgnoringDuplicates(
                    TABLE_NAME,
                    "job_name",
                    "kafka_topic",
                    "kafka_partition",
                    "kafka_offset",
                    "raw_text",
                    "raw_bytes",
                    "error_code",
                    "reason",
                    "kafka_timestamp",
                    "seen_at");

    private DeadLetterRows() {}

    public static TableRow toRow(String jobName, DeadLetter d) {
        return TableRow.of(
                TABLE_NAME,
                jobName,
                d.source().topic(),
                d.source().partition(),
                d.source().offset(),
                readableText(d.rawBytes()),
                d.rawBytes(),
                d.errorCode().name(),
                storable(d.reason()),
                d.kafkaTimestamp(),
                d.seenAt());
    }

    /**
     * The payload for people: UTF-8 with invalid bytes shown as U+FFFD and NUL (which PostgreSQL
     * text cannot hold) shown as U+2400. The exact bytes are kept in raw_bytes.
     */
    static String readableText(byte[] bytes) {
        try {
            String text =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPLACE)
                            .onUnmappableCharacter(CodingErrorAction.REPLACE)
                            .decode(ByteBuffer.wrap(bytes))
                            .toString();
            return storable(text);
        } catch (java.nio.charset.CharacterCodingException e) {
            // cannot happen with REPLACE; keep the row anyway
            return "";
        }
    }

    /**
     * Text PostgreSQL can store: NUL shown as U+2400. Also for reasons, which quote the record:
     * Jackson's message for a bad literal copies it, NULs included, and a NUL in text is an error
     * no restart cures — one such record used to stop the job.
     */
    static String storable(String text) {
        return text.replace('\0', '\u2400');
    }
}
