package dev.flinkpipelines.common.events;

import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.time.Instant;

/** One video view (docs/CONTRACTS.md, topic {@code video-views}); duration in seconds. */
public record VideoView(
        String eventId,
        String videoId,
        String userId,
        String sessionId,
        Instant timestamp,
        int viewDurationSeconds,
        String deviceType,
        String geoLocation,
        String referrer,
        String quality,
        boolean revenueEligible,
        SourceCoordinates source)
        implements TimestampedEvent {

    @Override
    public long eventTimeMillis() {
        return timestamp.toEpochMilli();
    }
}
