package dev.flinkpipelines.jobs.userevents;

import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableSpec;
import java.time.Instant;
import java.util.List;

/** The user-events job's tables (sql/migrations/V2) and how its results become their rows. */
final class UserEventRows {

    /**
     * Idempotent append: unique on the Kafka coordinates, so even a manual restore from an old
     * savepoint cannot store a record twice.
     */
    static final TableSpec USER_EVENTS =
            TableSpec.appendIgnoringDuplicates(
                    "user_events",
                    "user_id",
                    "movie_id",
                    "event_type",
                    "event_timestamp",
                    "processed_at",
                    "kafka_partition",
                    "kafka_offset");

    static final TableSpec MOVIE_ACTIVITY =
            TableSpec.upsert(
                    "movie_activity_1m",
                    List.of("window_start", "movie_id", "event_type"),
                    "window_start",
                    "window_end",
                    "movie_id",
                    "event_type",
                    "event_count",
                    "updated_at");

    private UserEventRows() {}

    static TableRow userEvent(UserEvent e, Instant processedAt) {
        return TableRow.of(
                USER_EVENTS.name(),
                e.userId(),
                e.movieId(),
                e.eventType(),
                Instant.ofEpochMilli(e.timestampMillis()),
                processedAt,
                e.source().partition(),
                e.source().offset());
    }

    static TableRow movieActivity(
            long windowStart,
            long windowEnd,
            int movieId,
            String eventType,
            long count,
            Instant updatedAt) {
        return TableRow.of(
                MOVIE_ACTIVITY.name(),
                Instant.ofEpochMilli(windowStart),
                Instant.ofEpochMilli(windowEnd),
                movieId,
                eventType,
                count,
                updatedAt);
    }
}
