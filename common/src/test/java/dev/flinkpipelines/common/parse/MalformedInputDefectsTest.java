package dev.flinkpipelines.common.parse;

import dev.flinkpipelines.common.deadletter.DeadLetter;
import dev.flinkpipelines.common.deadletter.ErrorCode;
import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.kafka.ParsingDeserializationSchema;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records the malformed corpus found accepted, or rejected with the wrong code, each pinned down on
 * its own (the whole corpus runs in {@link MalformedCorpusParsersTest}).
 */
class MalformedInputDefectsTest {

    private static final SourceCoordinates SOURCE = new SourceCoordinates("t", 0, 0);

    private static <T> DeadLetter deadLetter(RecordParser<T> parser, Class<T> type, String json) {
        Either<DeadLetter, T> result = new ParsingDeserializationSchema<>(parser, TypeInformation.of(type))
                .parse(new ConsumerRecord<>("t", 0, 0L, null, json.getBytes(StandardCharsets.UTF_8)));
        assertTrue(result.isLeft(), () -> "accepted: " + result.right());
        return result.left();
    }

    private static String userEvent(String eventTypeJson) {
        return "{\"user_id\":1,\"movie_id\":2,\"event_type\":" + eventTypeJson + ",\"timestamp\":1701234567890}";
    }

    /**
     * JSON can escape half a surrogate pair; Java keeps it in the string, UTF-8 cannot encode it, and
     * the PostgreSQL driver would write '?' in its place: the row would silently differ from the record.
     */
    @Test
    void anUnpairedSurrogateIsNotACharacter() throws Exception {
        for (String s : new String[] {"\"\\uD800\"", "\"a\\uDFFF\"", "\"\\uDC00\\uD800\"", "\"click\\uD83D\""}) {
            DeadLetter d = deadLetter(new UserEventParser(), UserEvent.class, userEvent(s));
            assertEquals(ErrorCode.INVALID_VALUE, d.errorCode(), s);
            assertTrue(d.reason().startsWith("field 'event_type' holds an unpaired surrogate"), d.reason());
        }
        // a pair is one character, and welcome
        assertEquals("click \uD83D\uDE00", new UserEventParser().parse(
                JsonRecord.parse(userEvent("\"click \\uD83D\\uDE00\"").getBytes(StandardCharsets.UTF_8)), SOURCE).eventType());
    }

    /**
     * event_type is stored lower-cased in VARCHAR(50). 'İ' lower-cases to two characters (i and a
     * combining dot), so 26 of them became 52: PostgreSQL refused the row, a permanent sink error,
     * and the job stopped for good.
     */
    @Test
    void anEventTypeLongerThan50OnceLowerCasedIsTooLong() throws Exception {
        DeadLetter d = deadLetter(new UserEventParser(), UserEvent.class, userEvent("\"" + "\u0130".repeat(26) + "\""));
        assertEquals(ErrorCode.INVALID_VALUE, d.errorCode());
        assertEquals("field 'event_type' has 52 characters once lower-cased, at most 50 allowed", d.reason());
        // 25 of them make exactly 50
        assertEquals("i\u0307".repeat(25), new UserEventParser().parse(
                JsonRecord.parse(userEvent("\"" + "\u0130".repeat(25) + "\"").getBytes(StandardCharsets.UTF_8)), SOURCE).eventType());
    }
}
