package dev.flinkpipelines.common.events;

import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** A drinks order with its lines (docs/CONTRACTS.md, topic {@code orders}). */
public record DrinkOrder(
        String orderId,
        String userId,
        List<Item> items,
        BigDecimal total,
        Instant createdAt,
        SourceCoordinates source)
        implements TimestampedEvent {

    /** One order line as the order carried it. */
    public record Item(String menuId, int qty, BigDecimal price) {}

    @Override
    public long eventTimeMillis() {
        return createdAt.toEpochMilli();
    }
}
