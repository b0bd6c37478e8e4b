package dev.flinkpipelines.common.events;

import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.time.Instant;

/** A stock movement (docs/CONTRACTS.md, topic {@code inventory_events}). */
public record InventoryEvent(
        String menuId, int delta, Reason reason, Instant timestamp, SourceCoordinates source)
        implements TimestampedEvent {

    public enum Reason {
        SALE,
        RESTOCK,
        WASTE
    }

    @Override
    public long eventTimeMillis() {
        return timestamp.toEpochMilli();
    }
}
