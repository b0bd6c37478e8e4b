package dev.flinkpipelines.common.parse;

import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.kafka.SourceCoordinates;

import java.util.Locale;

/**
 * SPEC §1: {@code {"user_id":123,"movie_id":456,"event_type":"click","timestamp":1701234567890}}.
 * Ids are positive integers that fit PostgreSQL INT; event_type is 1..50 characters, stored in
 * lower case; timestamp is epoch milliseconds (year 2000 to 2100, which catches seconds sent by
 * mistake as well as garbage).
 */
public final class UserEventParser implements RecordParser<UserEvent> {

    private static final long serialVersionUID = 1L;

    /** 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z in epoch milliseconds. */
    static final long MIN_TIMESTAMP = 946_684_800_000L;
    static final long MAX_TIMESTAMP = 4_102_444_800_000L;

    @Override
    public UserEvent parse(JsonRecord json, SourceCoordinates source) throws InvalidRecordException {
        int userId = json.requireInt("user_id", 1, Integer.MAX_VALUE);
        int movieId = json.requireInt("movie_id", 1, Integer.MAX_VALUE);
        String eventType = json.requireString("event_type", 50).toLowerCase(Locale.ROOT);
        long timestamp = json.requireLong("timestamp", MIN_TIMESTAMP, MAX_TIMESTAMP);
        return new UserEvent(userId, movieId, eventType, timestamp, source);
    }
}
