package dev.flinkpipelines.common.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.deadletter.DeadLetter;
import dev.flinkpipelines.common.deadletter.ErrorCode;
import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.kafka.ParsingDeserializationSchema;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The orders validator: valid input and a table of bad inputs, parsed as the Kafka source parses
 * them; and its id checks, written as loops, accept exactly what the contract's patterns accept.
 */
class OrderEventParserTest {

    private static final String ID = "0b6f3c2e-8a4d-4f1e-9c3b-2d5e7f9a1b3c";
    private final ParsingDeserializationSchema<OrderEvent> schema =
            new ParsingDeserializationSchema<>(
                    new OrderEventParser(), TypeInformation.of(OrderEvent.class));

    private static String order(String field, String rawValue) {
        String json =
                "{\"id\":\""
                        + ID
                        + "\",\"eventTime\":\"2025-11-30T15:30:00Z\",\"eventType\":\"payment_success\","
                        + "\"orderId\":\"ORD123456\",\"userId\":\"USR1234\",\"amount\":1234567.89,\"currency\":\"VND\",\"status\":\"success\"}";
        if (field == null) {
            return json;
        }
        String pattern = "\"" + field + "\":(\"[^\"]*\"|[^,}]*)";
        return rawValue == null
                ? json.replaceFirst(pattern + ",?", "")
                : json.replaceFirst(pattern, "\"" + field + "\":" + rawValue);
    }

    private Either<DeadLetter, OrderEvent> parse(String json) {
        return schema.parse(
                new ConsumerRecord<>(
                        "events_raw", 1, 7L, null, json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void validEventKeepsItsExactAmount() {
        Either<DeadLetter, OrderEvent> result = parse(order(null, null));
        assertTrue(result.isRight(), () -> result.left().reason());
        OrderEvent e = result.right();
        assertEquals(ID, e.id());
        assertEquals(Instant.parse("2025-11-30T15:30:00Z"), e.eventTime());
        assertEquals(OrderEvent.Type.PAYMENT_SUCCESS, e.eventType());
        assertEquals(new BigDecimal("1234567.89"), e.amount());
        assertEquals(OrderEvent.Currency.VND, e.currency());
        assertEquals(OrderEvent.Status.SUCCESS, e.status());
        assertEquals(new SourceCoordinates("events_raw", 1, 7), e.source());
    }

    @Test
    void wholeAndOffsetTimesAreAccepted() {
        assertEquals(new BigDecimal("5.00"), parse(order("amount", "5")).right().amount());
        assertEquals(new BigDecimal("0.10"), parse(order("amount", "0.1000")).right().amount());
        assertEquals(
                Instant.parse("2025-11-30T08:30:00Z"),
                parse(order("eventTime", "\"2025-11-30T15:30:00+07:00\"")).right().eventTime());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "id|                    |MISSING_FIELD",
                "id|\"not-a-uuid\"      |INVALID_VALUE",
                "id|42                  |WRONG_TYPE",
                "eventTime|             |MISSING_FIELD",
                "eventTime|\"30/11/2025 15:30\"|INVALID_VALUE",
                "eventTime|\"2025-11-30T15:30:00\"|INVALID_VALUE",
                "eventTime|1701234567890|WRONG_TYPE",
                "eventType|\"order_shipped\"|INVALID_VALUE",
                "eventType|             |MISSING_FIELD",
                "orderId|\"ORD 1\"      |INVALID_VALUE",
                "orderId|\"\"           |INVALID_VALUE",
                "userId|                |MISSING_FIELD",
                "userId|12              |WRONG_TYPE",
                "amount|-0.01           |OUT_OF_RANGE",
                "amount|12.345          |INVALID_VALUE",
                "amount|\"12.34\"       |WRONG_TYPE",
                "amount|10000000000000  |OUT_OF_RANGE",
                "amount|1e400           |OUT_OF_RANGE",
                "amount|                |MISSING_FIELD",
                "currency|\"EUR\"       |INVALID_VALUE",
                "status|\"done\"        |INVALID_VALUE",
                "status|null            |MISSING_FIELD"
            })
    void badFieldIsADeadLetter(String field, String rawValue, ErrorCode expected) {
        Either<DeadLetter, OrderEvent> result =
                parse(order(field, rawValue == null ? null : rawValue.trim()));
        assertTrue(
                result.isLeft(),
                () -> field + "=" + rawValue + " should be invalid, got " + result.right());
        assertEquals(expected, result.left().errorCode(), result.left().reason());
    }

    private static final Pattern UUID =
            Pattern.compile(
                    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern REFERENCE = Pattern.compile("[A-Za-z0-9_-]{1,50}");
    private static final String ALPHABET = "0123456789abcdefABCDEFgGzZ-_ .é\u0660\uFF10\n";

    @Test
    void loopsAgreeWithThePatterns() {
        for (String s :
                List.of(
                        "",
                        "123e4567-e89b-12d3-a456-426614174000",
                        "123E4567-E89B-12D3-A456-426614174000",
                        "123e4567e89b12d3a456426614174000",
                        "123e4567-e89b-12d3-a456-42661417400",
                        "123e4567-e89b-12d3-a456-4266141740000",
                        "ORD123456",
                        "USR_1-2",
                        "x".repeat(50),
                        "x".repeat(51),
                        "a b",
                        "\u0660")) {
            assertEquals(UUID.matcher(s).matches(), OrderEventParser.isUuid(s), s);
            assertEquals(REFERENCE.matcher(s).matches(), OrderEventParser.isReference(s), s);
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 500_000; i++) {
            StringBuilder s = new StringBuilder();
            if (i % 2 == 0) {
                // near a UUID: its shape with one character maybe replaced
                s.append("123e4567-e89b-12d3-a456-426614174000");
                s.setCharAt(random.nextInt(36), ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            } else {
                int n = random.nextInt(53);
                for (int j = 0; j < n; j++) {
                    s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                }
            }
            String text = s.toString();
            assertEquals(UUID.matcher(text).matches(), OrderEventParser.isUuid(text), text);
            assertEquals(
                    REFERENCE.matcher(text).matches(), OrderEventParser.isReference(text), text);
        }
    }
}
