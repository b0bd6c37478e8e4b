package dev.flinkpipelines.common.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.deadletter.DeadLetter;
import dev.flinkpipelines.common.deadletter.ErrorCode;
import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.parse.UserEventParser;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad record becomes a dead letter with the right code; nothing ever throws. */
class ParsingDeserializationSchemaTest {

    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private final ParsingDeserializationSchema<UserEvent> schema =
            new ParsingDeserializationSchema<>(
                    new UserEventParser(),
                    TypeInformation.of(UserEvent.class),
                    Clock.fixed(NOW, ZoneOffset.UTC));

    private static ConsumerRecord<byte[], byte[]> record(byte[] value) {
        return new ConsumerRecord<>("user-events", 3, 42L, null, value);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void validRecordKeepsItsCoordinatesAndNormalisesEventType() {
        Either<DeadLetter, UserEvent> result =
                schema.parse(
                        record(
                                utf8(
                                        "{\"user_id\":123,\"movie_id\":456,\"event_type\":\"Click\",\"timestamp\":1701234567890}")));
        assertTrue(result.isRight(), () -> "expected valid, got " + result.left());
        assertEquals(
                new UserEvent(
                        123,
                        456,
                        "click",
                        1701234567890L,
                        new SourceCoordinates("user-events", 3, 42)),
                result.right());
    }

    static Stream<Arguments> badRecords() {
        String ok = "\"movie_id\":456,\"event_type\":\"click\",\"timestamp\":1701234567890";
        return Stream.of(
                Arguments.of("empty record", new byte[0], ErrorCode.EMPTY_RECORD),
                Arguments.of("tombstone", null, ErrorCode.EMPTY_RECORD),
                Arguments.of("blank", utf8("  \n "), ErrorCode.EMPTY_RECORD),
                Arguments.of(
                        "malformed UTF-8",
                        new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'},
                        ErrorCode.INVALID_UTF8),
                Arguments.of(
                        "lone continuation byte", new byte[] {(byte) 0x80}, ErrorCode.INVALID_UTF8),
                Arguments.of("not JSON", utf8("hello"), ErrorCode.NOT_JSON),
                Arguments.of("truncated JSON", utf8("{\"user_id\":1,"), ErrorCode.NOT_JSON),
                Arguments.of(
                        "trailing garbage",
                        utf8("{\"user_id\":1," + ok + "} x"),
                        ErrorCode.NOT_JSON),
                Arguments.of(
                        "duplicate key",
                        utf8("{\"user_id\":1,\"user_id\":2," + ok + "}"),
                        ErrorCode.NOT_JSON),
                Arguments.of("array", utf8("[1,2]"), ErrorCode.NOT_AN_OBJECT),
                Arguments.of("number", utf8("42"), ErrorCode.NOT_AN_OBJECT),
                Arguments.of("missing user_id", utf8("{" + ok + "}"), ErrorCode.MISSING_FIELD),
                Arguments.of(
                        "null user_id",
                        utf8("{\"user_id\":null," + ok + "}"),
                        ErrorCode.MISSING_FIELD),
                Arguments.of(
                        "missing timestamp",
                        utf8("{\"user_id\":1,\"movie_id\":2,\"event_type\":\"x\"}"),
                        ErrorCode.MISSING_FIELD),
                Arguments.of(
                        "id as string",
                        utf8("{\"user_id\":\"1\"," + ok + "}"),
                        ErrorCode.WRONG_TYPE),
                Arguments.of(
                        "id as fraction",
                        utf8("{\"user_id\":1.5," + ok + "}"),
                        ErrorCode.WRONG_TYPE),
                Arguments.of(
                        "id as boolean",
                        utf8("{\"user_id\":true," + ok + "}"),
                        ErrorCode.WRONG_TYPE),
                Arguments.of(
                        "event_type as number",
                        utf8(
                                "{\"user_id\":1,\"movie_id\":2,\"event_type\":7,\"timestamp\":1701234567890}"),
                        ErrorCode.WRONG_TYPE),
                Arguments.of("zero id", utf8("{\"user_id\":0," + ok + "}"), ErrorCode.OUT_OF_RANGE),
                Arguments.of(
                        "negative id", utf8("{\"user_id\":-5," + ok + "}"), ErrorCode.OUT_OF_RANGE),
                Arguments.of(
                        "id beyond INT",
                        utf8("{\"user_id\":2147483648," + ok + "}"),
                        ErrorCode.OUT_OF_RANGE),
                Arguments.of(
                        "huge number",
                        utf8("{\"user_id\":" + "9".repeat(500) + "," + ok + "}"),
                        ErrorCode.OUT_OF_RANGE),
                Arguments.of(
                        "timestamp in seconds",
                        utf8(
                                "{\"user_id\":1,\"movie_id\":2,\"event_type\":\"x\",\"timestamp\":1701234567}"),
                        ErrorCode.OUT_OF_RANGE),
                Arguments.of(
                        "blank event_type",
                        utf8(
                                "{\"user_id\":1,\"movie_id\":2,\"event_type\":\" \",\"timestamp\":1701234567890}"),
                        ErrorCode.INVALID_VALUE),
                Arguments.of(
                        "event_type of 51 chars",
                        utf8(
                                "{\"user_id\":1,\"movie_id\":2,\"event_type\":\""
                                        + "a".repeat(51)
                                        + "\",\"timestamp\":1701234567890}"),
                        ErrorCode.INVALID_VALUE),
                Arguments.of(
                        "NUL in event_type",
                        utf8(
                                "{\"user_id\":1,\"movie_id\":2,\"event_type\":\"a\\u0000b\",\"timestamp\":1701234567890}"),
                        ErrorCode.INVALID_VALUE),
                Arguments.of(
                        "deeply nested",
                        utf8("{\"user_id\":" + "[".repeat(5000) + "}"),
                        ErrorCode.NOT_JSON));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRecords")
    void badRecordBecomesADeadLetterWithCoordinatesAndRawBytes(
            String name, byte[] value, ErrorCode expected) {
        Either<DeadLetter, UserEvent> result = schema.parse(record(value));
        assertTrue(result.isLeft(), () -> name + ": expected a dead letter, got " + result.right());
        DeadLetter dead = result.left();
        assertEquals(expected, dead.errorCode(), () -> name + ": " + dead.reason());
        assertEquals(new SourceCoordinates("user-events", 3, 42), dead.source());
        assertArrayEquals(
                value == null ? new byte[0] : value, dead.rawBytes(), "raw bytes kept exactly");
        assertTrue(
                !dead.reason().isBlank() && dead.reason().length() < 300,
                () -> "a short, readable reason: " + dead.reason());
        assertEquals(NOW, dead.seenAt());
    }

    @Test
    void reasonsNameTheFieldAndWhatWasExpected() {
        DeadLetter dead =
                schema.parse(
                                record(
                                        utf8(
                                                "{\"user_id\":\"abc\",\"movie_id\":1,\"event_type\":\"x\",\"timestamp\":1701234567890}")))
                        .left();
        assertEquals("field 'user_id' must be a whole number, got string \"abc\"", dead.reason());
    }

    @Test
    void exactValuesAtTheEdgesAreAccepted() {
        Either<DeadLetter, UserEvent> result =
                schema.parse(
                        record(
                                utf8(
                                        "{\"user_id\":2147483647,\"movie_id\":1,\"event_type\":\""
                                                + "b".repeat(50)
                                                + "\",\"timestamp\":946684800000}")));
        assertTrue(result.isRight(), () -> String.valueOf(result.left()));
        assertEquals(Integer.MAX_VALUE, result.right().userId());
    }
}
