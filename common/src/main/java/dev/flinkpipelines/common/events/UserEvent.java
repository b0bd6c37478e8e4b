package dev.flinkpipelines.common.events;

import dev.flinkpipelines.common.kafka.SourceCoordinates;

/** Movie platform engagement (docs/CONTRACTS.md): {@code event_type} normalised to lower case. */
public record UserEvent(
        int userId, int movieId, String eventType, long timestampMillis, SourceCoordinates source)
        implements TimestampedEvent {
    @Override
    public long eventTimeMillis() {
        return timestampMillis;
    }
}
