package dev.flinkpipelines.common.parse;

import dev.flinkpipelines.common.deadletter.ErrorCode;
import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.kafka.SourceCoordinates;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * docs/CONTRACTS.md: {@code {"id":"<uuid>","eventTime":"2025-11-30T15:30:00Z","eventType":"order_created",
 * "orderId":"ORD123456","userId":"USR1234","amount":1234567.89,"currency":"VND","status":"success"}}.
 * Amounts are kept exactly: more than 2 decimals or more than NUMERIC(15,2) holds is invalid, never
 * rounded.
 */
public final class OrderEventParser implements RecordParser<OrderEvent> {

    private static final long serialVersionUID = 1L;

    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** Order and user ids: letters, digits, '-' and '_'. */
    private static final Pattern REFERENCE = Pattern.compile("[A-Za-z0-9_-]{1,50}");
    /** NUMERIC(15,2): at most 13 digits before the point. */
    private static final BigDecimal MAX_AMOUNT = new BigDecimal("9999999999999.99");

    @Override
    public OrderEvent parse(JsonRecord json, SourceCoordinates source) throws InvalidRecordException {
        String id = json.requireString("id", 50);
        if (!UUID.matcher(id).matches()) {
            throw new InvalidRecordException(ErrorCode.INVALID_VALUE, "field 'id' is not a UUID: '" + id + "'");
        }
        var eventTime = json.requireInstant("eventTime");
        OrderEvent.Type type = json.requireEnum("eventType", OrderEvent.Type.class);
        String orderId = reference(json, "orderId");
        String userId = reference(json, "userId");
        BigDecimal amount = json.requireDecimal("amount");
        if (amount.signum() < 0) {
            throw new InvalidRecordException(ErrorCode.OUT_OF_RANGE, "field 'amount' is negative: " + JsonRecord.describe(amount));
        }
        if (amount.stripTrailingZeros().scale() > 2) {
            throw new InvalidRecordException(ErrorCode.INVALID_VALUE,
                    "field 'amount' has more than 2 decimals: " + JsonRecord.describe(amount) + " (amounts are never rounded)");
        }
        if (amount.compareTo(MAX_AMOUNT) > 0) {
            throw new InvalidRecordException(ErrorCode.OUT_OF_RANGE,
                    "field 'amount' is " + JsonRecord.describe(amount) + ", at most " + MAX_AMOUNT.toPlainString());
        }
        OrderEvent.Currency currency = json.requireEnum("currency", OrderEvent.Currency.class);
        OrderEvent.Status status = json.requireEnum("status", OrderEvent.Status.class);
        return new OrderEvent(id.toLowerCase(java.util.Locale.ROOT), eventTime, type, orderId, userId,
                amount.setScale(2), currency, status, source);
    }

    private static String reference(JsonRecord json, String field) throws InvalidRecordException {
        String value = json.requireString(field, 50);
        if (!REFERENCE.matcher(value).matches()) {
            throw new InvalidRecordException(ErrorCode.INVALID_VALUE,
                    "field '" + field + "' may hold only letters, digits, '-' and '_': '" + value + "'");
        }
        return value;
    }
}
