package dev.flinkpipelines.common.parse;

import dev.flinkpipelines.common.deadletter.ErrorCode;
import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.util.Locale;

/**
 * docs/CONTRACTS.md: {@code
 * {"user_id":123,"movie_id":456,"event_type":"click","timestamp":1701234567890}}. Ids are positive
 * integers that fit PostgreSQL INT; event_type is 1..50 characters, also once stored in lower case;
 * timestamp is epoch milliseconds (year 2000 to 2100, which catches seconds sent by mistake as well
 * as garbage).
 */
public final class UserEventParser implements RecordParser<UserEvent> {

    private static final long serialVersionUID = 1L;

    /** The event times every topic allows, here in epoch milliseconds. */
    static final long MIN_TIMESTAMP = JsonRecord.EARLIEST_EVENT_TIME.toEpochMilli();

    static final long MAX_TIMESTAMP = JsonRecord.LATEST_EVENT_TIME.toEpochMilli();

    /** user_events.event_type is VARCHAR(50), and holds the lower-cased value. */
    static final int MAX_EVENT_TYPE = 50;

    @Override
    public UserEvent parse(JsonRecord json, SourceCoordinates source)
            throws InvalidRecordException {
        int userId = json.requireInt("user_id", 1, Integer.MAX_VALUE);
        int movieId = json.requireInt("movie_id", 1, Integer.MAX_VALUE);
        String eventType =
                json.requireString("event_type", MAX_EVENT_TYPE).toLowerCase(Locale.ROOT);
        if (eventType.length() > MAX_EVENT_TYPE) {
            // lower-casing can lengthen a string ('İ' becomes 'i' and a combining dot), and the
            // stored, lower-cased value must fit VARCHAR(50)
            throw new InvalidRecordException(
                    ErrorCode.INVALID_VALUE,
                    "field 'event_type' has "
                            + eventType.length()
                            + " characters once lower-cased, at most "
                            + MAX_EVENT_TYPE
                            + " allowed");
        }
        long timestamp = json.requireLong("timestamp", MIN_TIMESTAMP, MAX_TIMESTAMP);
        return new UserEvent(userId, movieId, eventType, timestamp, source);
    }
}
