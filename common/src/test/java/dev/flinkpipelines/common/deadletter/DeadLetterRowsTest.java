package dev.flinkpipelines.common.deadletter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.kafka.ParsingDeserializationSchema;
import dev.flinkpipelines.common.parse.UserEventParser;
import dev.flinkpipelines.common.postgres.TableRow;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** A dead letter becomes a row PostgreSQL accepts, whatever its record held. */
class DeadLetterRowsTest {

    private static final int RAW_TEXT = 4;
    private static final int RAW_BYTES = 5;
    private static final int REASON = 7;

    /**
     * Found by the malformed corpus: Jackson quotes a bad literal in its message, NUL included, and
     * PostgreSQL refuses NUL in text ("invalid byte sequence for encoding UTF8: 0x00") — a
     * permanent sink error, so one such record stopped the job for good.
     */
    @Test
    void aReasonQuotingANulByteIsStorable() {
        byte[] value = "{\"user_id\":tr\0ue}".getBytes(StandardCharsets.UTF_8);
        DeadLetter deadLetter =
                new ParsingDeserializationSchema<>(
                                new UserEventParser(), TypeInformation.of(UserEvent.class))
                        .parse(new ConsumerRecord<>("user-events", 0, 7L, null, value))
                        .left();
        TableRow row = DeadLetterRows.toRow("user-events", deadLetter);

        assertEquals(
                "not valid JSON: Unrecognized token 'tr\u2400ue': was expecting (JSON String, Number, Array, Object or token"
                        + " 'null', 'true' or 'false')",
                row.value(REASON));
        assertEquals("{\"user_id\":tr\u2400ue}", row.value(RAW_TEXT));
        assertArrayEquals(
                value, (byte[]) row.value(RAW_BYTES), "the exact bytes are kept, NUL and all");
    }
}
