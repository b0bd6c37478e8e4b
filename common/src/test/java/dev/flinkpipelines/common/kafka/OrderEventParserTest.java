package dev.flinkpipelines.common.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.deadletter.DeadLetter;
import dev.flinkpipelines.common.deadletter.ErrorCode;
import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.parse.OrderEventParser;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The orders validator over valid input and a table of bad inputs. */
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
}
