package dev.flinkpipelines.common.parse;

import dev.flinkpipelines.common.events.InventoryEvent;
import dev.flinkpipelines.common.kafka.SourceCoordinates;

/**
 * docs/CONTRACTS.md, {@code inventory_events}: {@code
 * {"menu_id":"m-1","delta":-2,"reason":"sale|restock|waste", "timestamp":"…Z"}}; delta a whole
 * number between -100000 and 100000.
 */
public final class InventoryEventParser implements RecordParser<InventoryEvent> {

    private static final long serialVersionUID = 1L;

    @Override
    public InventoryEvent parse(JsonRecord json, SourceCoordinates source)
            throws InvalidRecordException {
        return new InventoryEvent(
                json.requireString("menu_id", 50),
                json.requireInt("delta", -100_000, 100_000),
                json.requireEnum("reason", InventoryEvent.Reason.class),
                json.requireInstant("timestamp"),
                source);
    }
}
