package dev.flinkpipelines.common.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkpipelines.common.deadletter.ErrorCode;
import dev.flinkpipelines.common.events.DrinkOrder;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * docs/CONTRACTS.md, {@code orders}: {@code
 * {"order_id":"…","user_id":"…","items":[{"menu_id":"m-1","qty":2,
 * "price":40000}],"total":80000,"created_at":"…Z"}}. 1 to 50 items, qty 1..1000, prices and total
 * exact money, each line's qty x price at most {@link #MAX_LINE_TOTAL}. Whether the total matches
 * the lines is not a validity question: such an order is kept and flagged by the job.
 */
public final class DrinkOrderParser implements RecordParser<DrinkOrder> {

    private static final long serialVersionUID = 1L;

    /**
     * order_items_enriched.line_total is NUMERIC(17,2): a larger qty x price is a row PostgreSQL
     * refuses.
     */
    static final BigDecimal MAX_LINE_TOTAL = new BigDecimal("999999999999999.99");

    @Override
    public DrinkOrder parse(JsonRecord json, SourceCoordinates source)
            throws InvalidRecordException {
        String orderId = json.requireString("order_id", 50);
        String userId = json.requireString("user_id", 50);
        JsonNode items = json.get("items");
        if (items == null || items.isNull()) {
            throw new InvalidRecordException(
                    ErrorCode.MISSING_FIELD, "missing required field 'items'");
        }
        if (!items.isArray()) {
            throw new InvalidRecordException(
                    ErrorCode.WRONG_TYPE, "field 'items' must be an array");
        }
        if (items.isEmpty() || items.size() > 50) {
            throw new InvalidRecordException(
                    ErrorCode.OUT_OF_RANGE,
                    "field 'items' has " + items.size() + " items, allowed 1..50");
        }
        List<DrinkOrder.Item> lines = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (!item.isObject()) {
                throw new InvalidRecordException(
                        ErrorCode.WRONG_TYPE, "items[" + i + "] must be an object");
            }
            JsonRecord line = JsonRecord.of(item);
            DrinkOrder.Item parsed;
            try {
                parsed =
                        new DrinkOrder.Item(
                                line.requireString("menu_id", 50),
                                line.requireInt("qty", 1, 1000),
                                MenuUpdateParser.Money.require(line, "price"));
            } catch (InvalidRecordException e) {
                throw new InvalidRecordException(e.code(), "items[" + i + "]: " + e.getMessage());
            }
            // each value may be in range and their product still not fit the table
            BigDecimal lineTotal = parsed.price().multiply(BigDecimal.valueOf(parsed.qty()));
            if (lineTotal.compareTo(MAX_LINE_TOTAL) > 0) {
                throw new InvalidRecordException(
                        ErrorCode.OUT_OF_RANGE,
                        "items["
                                + i
                                + "]: line total "
                                + parsed.qty()
                                + " x "
                                + parsed.price().toPlainString()
                                + " = "
                                + lineTotal.toPlainString()
                                + ", at most "
                                + MAX_LINE_TOTAL.toPlainString());
            }
            lines.add(parsed);
        }
        return new DrinkOrder(
                orderId,
                userId,
                List.copyOf(lines),
                MenuUpdateParser.Money.require(json, "total"),
                json.requireInstant("created_at"),
                source);
    }
}
