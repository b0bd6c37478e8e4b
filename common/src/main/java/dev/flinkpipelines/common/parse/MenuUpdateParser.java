package dev.flinkpipelines.common.parse;

import dev.flinkpipelines.common.deadletter.ErrorCode;
import dev.flinkpipelines.common.events.MenuUpdate;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.math.BigDecimal;

/**
 * docs/CONTRACTS.md, {@code menu_updates}: {@code
 * {"menu_id":"m-1","action":"create|update|delete","name":"Trà sữa", "category":"milk
 * tea","price":50000,"timestamp":"…Z"}}. A delete needs only menu_id, action and timestamp; create
 * and update need name, category and a price >= 0 with at most 2 decimals.
 */
public final class MenuUpdateParser implements RecordParser<MenuUpdate> {

    private static final long serialVersionUID = 1L;

    @Override
    public MenuUpdate parse(JsonRecord json, SourceCoordinates source)
            throws InvalidRecordException {
        String menuId = json.requireString("menu_id", 50);
        MenuUpdate.Action action = json.requireEnum("action", MenuUpdate.Action.class);
        var timestamp = json.requireInstant("timestamp");
        if (action == MenuUpdate.Action.DELETE) {
            return new MenuUpdate(menuId, action, null, null, null, timestamp, source);
        }
        return new MenuUpdate(
                menuId,
                action,
                json.requireString("name", 100),
                json.requireString("category", 50),
                Money.require(json, "price"),
                timestamp,
                source);
    }

    /**
     * Money fields of the drink shop: a JSON number >= 0 with at most 2 decimals, never rounded.
     */
    static final class Money {
        private static final BigDecimal MAX = new BigDecimal("9999999999999.99");

        private Money() {}

        static BigDecimal require(JsonRecord json, String field) throws InvalidRecordException {
            BigDecimal value = json.requireDecimal(field);
            if (value.signum() < 0 || value.compareTo(MAX) > 0) {
                throw new InvalidRecordException(
                        ErrorCode.OUT_OF_RANGE,
                        "field '"
                                + field
                                + "' is "
                                + JsonRecord.describe(value)
                                + ", allowed 0.."
                                + MAX.toPlainString());
            }
            if (value.stripTrailingZeros().scale() > 2) {
                throw new InvalidRecordException(
                        ErrorCode.INVALID_VALUE,
                        "field '"
                                + field
                                + "' has more than 2 decimals: "
                                + JsonRecord.describe(value));
            }
            return value.setScale(2);
        }
    }
}
