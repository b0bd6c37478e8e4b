package dev.flinkpipelines.common.events;

import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.math.BigDecimal;
import java.time.Instant;

/** A drinks-menu changelog entry (docs/CONTRACTS.md, topic {@code menu_updates}). */
public record MenuUpdate(
        String menuId,
        Action action,
        String name,
        String category,
        BigDecimal price,
        Instant timestamp,
        SourceCoordinates source)
        implements TimestampedEvent {

    public enum Action {
        CREATE,
        UPDATE,
        DELETE
    }

    @Override
    public long eventTimeMillis() {
        return timestamp.toEpochMilli();
    }
}
