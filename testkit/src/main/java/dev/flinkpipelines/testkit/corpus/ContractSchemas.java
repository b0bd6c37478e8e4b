package dev.flinkpipelines.testkit.corpus;

import static dev.flinkpipelines.testkit.corpus.FieldType.BOOLEAN;
import static dev.flinkpipelines.testkit.corpus.FieldType.INTEGER;
import static dev.flinkpipelines.testkit.corpus.FieldType.MONEY;
import static dev.flinkpipelines.testkit.corpus.FieldType.STRING;
import static dev.flinkpipelines.testkit.corpus.Violation.badEnum;
import static dev.flinkpipelines.testkit.corpus.Violation.badFormat;
import static dev.flinkpipelines.testkit.corpus.Violation.malformedTimestamp;
import static dev.flinkpipelines.testkit.corpus.Violation.outOfRange;
import static dev.flinkpipelines.testkit.corpus.Violation.timestampOutOfRange;

import java.util.List;

/**
 * The input topics' contracts (docs/CONTRACTS.md and README, each job's section) as corpus schemas:
 * one valid template record and, per field, its type, limits and the values the contract forbids.
 */
public final class ContractSchemas {

    private ContractSchemas() {}

    /** Ids are positive and fit PostgreSQL INT. */
    private static final Violation[] POSITIVE_INT = {
        outOfRange("0"),
        outOfRange("-1"),
        outOfRange("-2147483648"),
        outOfRange("2147483648"),
        outOfRange("4294967296")
    };

    /**
     * ISO-8601 instants with an offset, between 2000-01-01 and 2100-01-01 (the range user-events
     * sets for its epoch milliseconds): impossible or offset-less text cannot be read, a readable
     * time outside the range is out of range.
     */
    private static final Violation[] ISO_TIMESTAMP = {
        malformedTimestamp("\"2025-11-30T15:30:00\""),
        malformedTimestamp("\"2025-11-30 15:30:00Z\""),
        malformedTimestamp("\"30/11/2025 15:30\""),
        malformedTimestamp("\"2025-11-30\""),
        malformedTimestamp("\"2025-13-01T00:00:00Z\""),
        malformedTimestamp("\"2025-02-29T00:00:00Z\""),
        malformedTimestamp("\"2025-11-31T00:00:00Z\""),
        malformedTimestamp("\"2025-11-30T24:00:00Z\""),
        malformedTimestamp("\"2025-11-30T15:60:00Z\""),
        malformedTimestamp("\"2025-11-30T15:30:60Z\""),
        malformedTimestamp("\"2025-11-30T15:30:00+25:00\""),
        malformedTimestamp("\"2025-11-30T15:30:00.1234567891Z\""),
        malformedTimestamp("\"2025-11-30T15:30:00ZZ\""),
        malformedTimestamp("\"1701234567890\""),
        malformedTimestamp("\"now\""),
        timestampOutOfRange("\"1999-12-31T23:59:59.999Z\""),
        timestampOutOfRange("\"1970-01-01T00:00:00Z\""),
        timestampOutOfRange("\"0000-01-01T00:00:00Z\""),
        timestampOutOfRange("\"2100-01-01T00:00:00.001Z\""),
        timestampOutOfRange("\"+10000-01-01T00:00:00Z\""),
        timestampOutOfRange("\"+294277-01-01T00:00:00Z\""),
        timestampOutOfRange("\"+999999999-12-31T23:59:59Z\""),
        timestampOutOfRange("\"-999999999-01-01T00:00:00Z\""),
    };

    /** docs/CONTRACTS.md {@code user-events}. */
    public static final TopicSchema USER_EVENTS =
            TopicSchema.of(
                    "user-events",
                    Field.required("user_id", INTEGER, "123").violations(POSITIVE_INT),
                    Field.required("movie_id", INTEGER, "456").violations(POSITIVE_INT),
                    Field.required("event_type", STRING, "\"click\"")
                            .maxLength(50)
                            .violations(
                                    // 26 characters that lower-case to 52: more than event_type's
                                    // 50 once normalised
                                    new Violation(
                                            MalformedKind.STRING_TOO_LONG,
                                            "\"" + "\u0130".repeat(26) + "\"",
                                            ExpectedCode.INVALID_VALUE)),
                    Field.required("timestamp", INTEGER, "1701234567890")
                            .violations(
                                    timestampOutOfRange("0"),
                                    timestampOutOfRange("-1"),
                                    timestampOutOfRange("1701234567"),
                                    timestampOutOfRange("946684799999"),
                                    timestampOutOfRange("4102444800001")));

    /**
     * docs/CONTRACTS.md {@code events_raw}, which is also what kpi reads from {@code events_clean}:
     * the kpi job validates its input like the orders job.
     */
    public static final TopicSchema ORDER_EVENTS =
            TopicSchema.of(
                    "events_raw / events_clean",
                    Field.required("id", STRING, "\"123e4567-e89b-12d3-a456-426614174000\"")
                            .violations(
                                    badFormat("\"not-a-uuid\""),
                                    badFormat("\"123e4567e89b12d3a456426614174000\""),
                                    badFormat("\"{123e4567-e89b-12d3-a456-426614174000}\""),
                                    badFormat("\"123e4567-e89b-12d3-a456-42661417400\""),
                                    badFormat("\"123e4567-e89b-12d3-a456-4266141740000\""),
                                    badFormat("\"g23e4567-e89b-12d3-a456-426614174000\""),
                                    badFormat(
                                            "\"\uff11\uff12\uff13e4567-e89b-12d3-a456-426614174000\"")),
                    Field.required("eventTime", STRING, "\"2025-11-30T15:30:00Z\"")
                            .violations(ISO_TIMESTAMP),
                    Field.required("eventType", STRING, "\"order_created\"")
                            .violations(
                                    badEnum("order_shipped"),
                                    badEnum("refund"),
                                    badEnum("order created"),
                                    badEnum("order-created"),
                                    badEnum("order_created_"),
                                    // upper-case to PAYMENT_SUCCESS / PAYMENT_INITIATED under
                                    // Java's rules, but are not those words
                                    badEnum("payment_\u017Fuccess"),
                                    badEnum("payment_\u0131nitiated"),
                                    // Cyrillic е
                                    badEnum("ord\u0435r_created")),
                    Field.required("orderId", STRING, "\"ORD123456\"")
                            .maxLength(50)
                            .violations(
                                    badFormat("\"ORD 1\""),
                                    badFormat("\"ORD#1\""),
                                    badFormat("\"ORD\u00e91\""),
                                    badFormat("\"ORD/1\"")),
                    Field.required("userId", STRING, "\"USR1234\"")
                            .maxLength(50)
                            .violations(
                                    badFormat("\"USR 1\""),
                                    badFormat("\"USR.1\""),
                                    badFormat("\"\u0423SR1\"")),
                    Field.required("amount", MONEY, "1234567.89")
                            .violations(
                                    outOfRange("-0.01"),
                                    outOfRange("-1"),
                                    outOfRange("-9999999999999.99"),
                                    outOfRange("10000000000000"),
                                    outOfRange("10000000000000.00"),
                                    outOfRange("99999999999999.99"),
                                    badFormat("1.005"),
                                    badFormat("0.001"),
                                    badFormat("12.345"),
                                    badFormat("1234567.891")),
                    Field.required("currency", STRING, "\"VND\"")
                            .violations(
                                    badEnum("EUR"),
                                    badEnum("VN"),
                                    badEnum("US D"),
                                    badEnum("u\u017Fd"),
                                    badEnum("VN\u0110"),
                                    badEnum("dollar")),
                    Field.required("status", STRING, "\"success\"")
                            .violations(
                                    badEnum("done"),
                                    badEnum("\u017Fuccess"),
                                    badEnum("pend\u0131ng"),
                                    badEnum("fa\u0131led"),
                                    badEnum("succeeded")));

    private static final String ORDER_ITEM = "{\"menu_id\":\"m-1\",\"qty\":2,\"price\":40000.5}";

    /** docs/CONTRACTS.md {@code orders}: 1..50 items, qty 1..1000, exact money. */
    public static final TopicSchema DRINK_ORDERS =
            TopicSchema.of(
                    "orders",
                    Field.required("order_id", STRING, "\"o-1001\"").maxLength(50),
                    Field.required("user_id", STRING, "\"u-42\"").maxLength(50),
                    Field.objectArray(
                                    "items",
                                    Field.required("menu_id", STRING, "\"m-1\"").maxLength(50),
                                    Field.required("qty", INTEGER, "2")
                                            .violations(
                                                    outOfRange("0"),
                                                    outOfRange("-1"),
                                                    outOfRange("1001")),
                                    Field.required("price", MONEY, "40000.5")
                                            .violations(
                                                    outOfRange("-0.01"),
                                                    outOfRange("10000000000000"),
                                                    badFormat("1.001")))
                            .violations(
                                    outOfRange("[]"),
                                    outOfRange(
                                            "[" + (ORDER_ITEM + ",").repeat(50) + ORDER_ITEM + "]"),
                                    outOfRange(
                                            "["
                                                    + (ORDER_ITEM + ",").repeat(11_999)
                                                    + ORDER_ITEM
                                                    + "]"),
                                    // each value is allowed, but 1000 x 9,999,999,999,999.99 does
                                    // not fit line_total
                                    // NUMERIC(17,2)
                                    outOfRange(
                                            "[{\"menu_id\":\"m-1\",\"qty\":1000,\"price\":9999999999999.99}]"),
                                    outOfRange(
                                            "[{\"menu_id\":\"m-1\",\"qty\":101,\"price\":9999999999999.99}]")),
                    Field.required("total", MONEY, "80001")
                            .violations(
                                    outOfRange("-1"),
                                    outOfRange("10000000000000"),
                                    badFormat("0.001")),
                    Field.required("created_at", STRING, "\"2025-11-30T15:30:00Z\"")
                            .violations(ISO_TIMESTAMP));

    /** docs/CONTRACTS.md {@code menu_updates}; a create needs every field (a delete would not). */
    public static final TopicSchema MENU_UPDATES =
            TopicSchema.of(
                    "menu_updates",
                    Field.required("menu_id", STRING, "\"m-1\"").maxLength(50),
                    Field.required("action", STRING, "\"create\"")
                            .violations(
                                    badEnum("rename"),
                                    badEnum("remove"),
                                    badEnum("creat"),
                                    badEnum("delete "),
                                    badEnum("upsert")),
                    Field.required("name", STRING, "\"Tr\u00e0 s\u1eefa\"").maxLength(100),
                    Field.required("category", STRING, "\"milk tea\"").maxLength(50),
                    Field.required("price", MONEY, "50000")
                            .violations(
                                    outOfRange("-1"),
                                    outOfRange("-0.01"),
                                    outOfRange("10000000000000"),
                                    badFormat("0.001")),
                    Field.required("timestamp", STRING, "\"2025-11-30T15:00:00Z\"")
                            .violations(ISO_TIMESTAMP));

    /** docs/CONTRACTS.md {@code inventory_events}: delta a whole number in -100000..100000. */
    public static final TopicSchema INVENTORY_EVENTS =
            TopicSchema.of(
                    "inventory_events",
                    Field.required("menu_id", STRING, "\"m-1\"").maxLength(50),
                    Field.required("delta", INTEGER, "-2")
                            .violations(
                                    outOfRange("-100001"),
                                    outOfRange("100001"),
                                    outOfRange("2147483648"),
                                    outOfRange("-2147483649")),
                    Field.required("reason", STRING, "\"sale\"")
                            .violations(
                                    badEnum("sold"),
                                    badEnum("theft"),
                                    badEnum("\u017Fale"),
                                    badEnum("restocking"),
                                    badEnum("sale ")),
                    Field.required("timestamp", STRING, "\"2025-11-30T15:30:00Z\"")
                            .violations(ISO_TIMESTAMP));

    /**
     * docs/CONTRACTS.md {@code video-views}: view_duration 0..86400; device, geo, referrer,
     * quality, revenue_eligible optional.
     */
    public static final TopicSchema VIDEO_VIEWS =
            TopicSchema.of(
                    "video-views",
                    Field.required("event_id", STRING, "\"7f1c2a4e-1111-4c1d-9a6b-0a1b2c3d4e5f\"")
                            .maxLength(100),
                    Field.required("video_id", STRING, "\"v1\"").maxLength(100),
                    Field.required("user_id", STRING, "\"u1\"").maxLength(100),
                    Field.required("session_id", STRING, "\"s1\"").maxLength(100),
                    Field.required("timestamp", STRING, "\"2025-11-30T15:30:00Z\"")
                            .violations(ISO_TIMESTAMP),
                    Field.required("view_duration", INTEGER, "42")
                            .violations(
                                    outOfRange("-1"),
                                    outOfRange("86401"),
                                    outOfRange("2147483648"),
                                    outOfRange("-2147483649")),
                    Field.optional("device_type", STRING, "\"web\"").maxLength(50),
                    Field.optional("geo_location", STRING, "\"VN\"").maxLength(50),
                    Field.optional("referrer", STRING, "\"https://example.test/watch?v=1\"")
                            .maxLength(500),
                    Field.optional("quality", STRING, "\"1080p\"").maxLength(20),
                    Field.optional("revenue_eligible", BOOLEAN, "true"));

    /** Every schema, for tests that cover them all. */
    public static List<TopicSchema> all() {
        return List.of(
                USER_EVENTS,
                ORDER_EVENTS,
                DRINK_ORDERS,
                MENU_UPDATES,
                INVENTORY_EVENTS,
                VIDEO_VIEWS);
    }
}
