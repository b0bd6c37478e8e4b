package dev.flinkpipelines.common.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.deadletter.DeadLetter;
import dev.flinkpipelines.common.deadletter.ErrorCode;
import dev.flinkpipelines.common.events.DrinkOrder;
import dev.flinkpipelines.common.events.MenuUpdate;
import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.events.VideoView;
import dev.flinkpipelines.common.kafka.ParsingDeserializationSchema;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Records the malformed corpus found accepted, or rejected with the wrong code, each pinned down on
 * its own (the whole corpus runs in {@link MalformedCorpusParsersTest}).
 */
class MalformedInputDefectsTest {

    private static final SourceCoordinates SOURCE = new SourceCoordinates("t", 0, 0);

    private static <T> DeadLetter deadLetter(RecordParser<T> parser, Class<T> type, String json) {
        Either<DeadLetter, T> result =
                new ParsingDeserializationSchema<>(parser, TypeInformation.of(type))
                        .parse(
                                new ConsumerRecord<>(
                                        "t", 0, 0L, null, json.getBytes(StandardCharsets.UTF_8)));
        assertTrue(result.isLeft(), () -> "accepted: " + result.right());
        return result.left();
    }

    private static String userEvent(String eventTypeJson) {
        return "{\"user_id\":1,\"movie_id\":2,\"event_type\":"
                + eventTypeJson
                + ",\"timestamp\":1701234567890}";
    }

    /**
     * JSON can escape half a surrogate pair; Java keeps it in the string, UTF-8 cannot encode it,
     * and the PostgreSQL driver would write '?' in its place: the row would silently differ from
     * the record.
     */
    @Test
    void anUnpairedSurrogateIsNotACharacter() throws Exception {
        for (String s :
                new String[] {
                    "\"\\uD800\"", "\"a\\uDFFF\"", "\"\\uDC00\\uD800\"", "\"click\\uD83D\""
                }) {
            DeadLetter d = deadLetter(new UserEventParser(), UserEvent.class, userEvent(s));
            assertEquals(ErrorCode.INVALID_VALUE, d.errorCode(), s);
            assertTrue(
                    d.reason().startsWith("field 'event_type' holds an unpaired surrogate"),
                    d.reason());
        }
        // a pair is one character, and welcome
        assertEquals(
                "click \uD83D\uDE00",
                new UserEventParser()
                        .parse(
                                JsonRecord.parse(
                                        userEvent("\"click \\uD83D\\uDE00\"")
                                                .getBytes(StandardCharsets.UTF_8)),
                                SOURCE)
                        .eventType());
    }

    /**
     * event_type is stored lower-cased in VARCHAR(50). 'İ' lower-cases to two characters (i and a
     * combining dot), so 26 of them became 52: PostgreSQL refused the row, a permanent sink error,
     * and the job stopped for good.
     */
    @Test
    void anEventTypeLongerThan50OnceLowerCasedIsTooLong() throws Exception {
        DeadLetter d =
                deadLetter(
                        new UserEventParser(),
                        UserEvent.class,
                        userEvent("\"" + "\u0130".repeat(26) + "\""));
        assertEquals(ErrorCode.INVALID_VALUE, d.errorCode());
        assertEquals(
                "field 'event_type' has 52 characters once lower-cased, at most 50 allowed",
                d.reason());
        // 25 of them make exactly 50
        assertEquals(
                "i\u0307".repeat(25),
                new UserEventParser()
                        .parse(
                                JsonRecord.parse(
                                        userEvent("\"" + "\u0130".repeat(25) + "\"")
                                                .getBytes(StandardCharsets.UTF_8)),
                                SOURCE)
                        .eventType());
    }

    /**
     * An exponent beyond 2^31 cannot be read into a BigDecimal: Jackson throws a bare
     * NumberFormatException, which became INTERNAL_ERROR ("a parser bug") instead of the record's
     * fault.
     */
    @Test
    void aNumberWhoseExponentCannotBeReadIsOutOfRange() {
        for (String json :
                new String[] {
                    userEvent("\"x\"").replace("1701234567890", "1e2147483648"),
                    order("\"amount\":1e-2147483648")
                }) {
            DeadLetter d =
                    json.startsWith("{\"user_id\"")
                            ? deadLetter(new UserEventParser(), UserEvent.class, json)
                            : deadLetter(new OrderEventParser(), OrderEvent.class, json);
            assertEquals(ErrorCode.OUT_OF_RANGE, d.errorCode(), d.reason());
            assertTrue(d.reason().startsWith("a number is beyond what can be read: "), d.reason());
        }
    }

    /**
     * Reasons printed money with toPlainString, which writes every digit: 1e999999999 asked for a
     * billion characters (OutOfMemoryError: the job fails and restarts on the same record for
     * ever), -1e999999999 made a reason of a billion characters, 1e2147483647 overflowed the array
     * size.
     */
    @Test
    void moneyWithAHugeExponentIsRejectedWithAShortReason() {
        Object[][] cases = {
            {
                "1e999999999",
                ErrorCode.OUT_OF_RANGE,
                "field 'amount' is 1E+999999999, at most 9999999999999.99"
            },
            {"-1e999999999", ErrorCode.OUT_OF_RANGE, "field 'amount' is negative: -1E+999999999"},
            {
                "1e2147483647",
                ErrorCode.OUT_OF_RANGE,
                "field 'amount' is 1E+2147483647, at most 9999999999999.99"
            },
            {
                "1e-999999999",
                ErrorCode.INVALID_VALUE,
                "field 'amount' has more than 2 decimals: 1E-999999999 (amounts are never rounded)"
            },
            {
                "12.345",
                ErrorCode.INVALID_VALUE,
                "field 'amount' has more than 2 decimals: 12.345 (amounts are never rounded)"
            },
        };
        for (Object[] c : cases) {
            DeadLetter d =
                    deadLetter(
                            new OrderEventParser(), OrderEvent.class, order("\"amount\":" + c[0]));
            assertEquals(c[1], d.errorCode(), d.reason());
            assertEquals(c[2], d.reason());
        }
        String menu =
                "{\"menu_id\":\"m-1\",\"action\":\"create\",\"name\":\"x\",\"category\":\"y\",\"price\":%s,"
                        + "\"timestamp\":\"2025-11-30T15:00:00Z\"}";
        assertEquals(
                "field 'price' is -1E+999999999, allowed 0..9999999999999.99",
                deadLetter(
                                new MenuUpdateParser(),
                                MenuUpdate.class,
                                String.format(menu, "-1e999999999"))
                        .reason());
        assertEquals(
                "field 'price' has more than 2 decimals: 1E-2147483647",
                deadLetter(
                                new MenuUpdateParser(),
                                MenuUpdate.class,
                                String.format(menu, "1e-2147483647"))
                        .reason());
    }

    /**
     * Enum values are compared ignoring case, by upper-casing with Java's rules, which also map the
     * long s (ſ) to S and the dotless ı to I: "ſuccess" was stored as success.
     */
    @Test
    void anEnumLookAlikeThatUpperCasesToAValueIsNotThatValue() throws Exception {
        String valid = order("\"amount\":1");
        for (String[] c :
                new String[][] {
                    {"success", "\u017Fuccess"},
                    {"order_created", "order_cre\u0430ted"},
                    {"VND", "VN\u0110"},
                    {"order_created", "payment_\u0131nitiated"},
                    {"VND", "u\u017Fd"}
                }) {
            DeadLetter d =
                    deadLetter(
                            new OrderEventParser(),
                            OrderEvent.class,
                            valid.replaceFirst("\"" + c[0] + "\"", "\"" + c[1] + "\""));
            assertEquals(ErrorCode.INVALID_VALUE, d.errorCode(), c[1]);
            assertTrue(d.reason().contains("'" + c[1] + "', expected one of"), d.reason());
        }
        // case alone still does not matter
        OrderEvent upper =
                new OrderEventParser()
                        .parse(
                                JsonRecord.parse(
                                        valid.replace("\"success\"", "\"SUCCESS\"")
                                                .replace("\"order_created\"", "\"Order_Created\"")
                                                .getBytes(StandardCharsets.UTF_8)),
                                SOURCE);
        assertEquals(OrderEvent.Status.SUCCESS, upper.status());
        assertEquals(OrderEvent.Type.ORDER_CREATED, upper.eventType());
    }

    /**
     * ISO timestamps had no range. "+999999999-12-31T23:59:59Z" parsed, and its epoch milliseconds
     * overflow a long where the source assigns event time: the job failed and restarted on that
     * record until its restarts ran out. Years after 294276 are beyond PostgreSQL's TIMESTAMPTZ,
     * and any time far from now throws the watermark around. Now they are held to the range
     * user-events already uses for its epoch milliseconds: 2000-01-01 to 2100-01-01.
     */
    @Test
    void anIsoTimestampOutsideTheYears2000To2100IsOutOfRange() throws Exception {
        String view =
                "{\"event_id\":\"e1\",\"video_id\":\"v1\",\"user_id\":\"u1\",\"session_id\":\"s1\",\"timestamp\":\"%s\","
                        + "\"view_duration\":42}";
        for (String time :
                new String[] {
                    "+999999999-12-31T23:59:59Z",
                    "-999999999-01-01T00:00:00Z",
                    "+10000-01-01T00:00:00Z",
                    "0000-01-01T00:00:00Z",
                    "1999-12-31T23:59:59.999Z",
                    "2100-01-01T00:00:00.001Z",
                    "2100-01-01T01:00:00.001+01:00"
                }) {
            DeadLetter d =
                    deadLetter(new VideoViewParser(), VideoView.class, String.format(view, time));
            assertEquals(ErrorCode.OUT_OF_RANGE, d.errorCode(), time + ": " + d.reason());
            assertEquals(
                    "field 'timestamp' is "
                            + time
                            + ", allowed 2000-01-01T00:00:00Z..2100-01-01T00:00:00Z",
                    d.reason());
        }
        for (String time :
                new String[] {
                    "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z", "2000-01-01T01:00:00+01:00"
                }) {
            assertEquals(
                    Instant.parse(time.replace("T01:00:00+01:00", "T00:00:00Z")),
                    new VideoViewParser()
                            .parse(
                                    JsonRecord.parse(
                                            String.format(view, time)
                                                    .getBytes(StandardCharsets.UTF_8)),
                                    SOURCE)
                            .timestamp());
        }
    }

    /**
     * Each value of an order line was in range, but their product need not be: 1000 x
     * 9,999,999,999,999.99 does not fit order_items_enriched.line_total NUMERIC(17,2), PostgreSQL
     * refused the row ("numeric field overflow", a permanent sink error) and the job stopped.
     */
    @Test
    void anOrderLineWhoseTotalDoesNotFitTheTableIsOutOfRange() throws Exception {
        String order =
                "{\"order_id\":\"o1\",\"user_id\":\"u1\",\"items\":[{\"menu_id\":\"m-1\",\"qty\":1,\"price\":1},"
                        + "{\"menu_id\":\"m-2\",\"qty\":%d,\"price\":%s}],\"total\":1,\"created_at\":\"2025-11-30T15:30:00Z\"}";
        DeadLetter d =
                deadLetter(
                        new DrinkOrderParser(),
                        DrinkOrder.class,
                        String.format(order, 1000, "9999999999999.99"));
        assertEquals(ErrorCode.OUT_OF_RANGE, d.errorCode());
        assertEquals(
                "items[1]: line total 1000 x 9999999999999.99 = 9999999999999990.00, at most 999999999999999.99",
                d.reason());
        assertEquals(
                ErrorCode.OUT_OF_RANGE,
                deadLetter(
                                new DrinkOrderParser(),
                                DrinkOrder.class,
                                String.format(order, 101, "9999999999999.99"))
                        .errorCode());
        // the largest line total that fits is accepted
        assertEquals(
                new java.math.BigDecimal("999999999999999.00"),
                new DrinkOrderParser()
                        .parse(
                                JsonRecord.parse(
                                        String.format(order, 100, "9999999999999.99")
                                                .getBytes(StandardCharsets.UTF_8)),
                                SOURCE)
                        .items()
                        .get(1)
                        .price()
                        .multiply(java.math.BigDecimal.valueOf(100)));
    }

    private static String order(String amountMember) {
        return "{\"id\":\"123e4567-e89b-12d3-a456-426614174000\",\"eventTime\":\"2025-11-30T15:30:00Z\",\"eventType\":\"order_created\","
                + "\"orderId\":\"ORD1\",\"userId\":\"U1\","
                + amountMember
                + ",\"currency\":\"VND\",\"status\":\"success\"}";
    }
}
