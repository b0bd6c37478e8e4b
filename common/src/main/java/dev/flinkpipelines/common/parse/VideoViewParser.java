package dev.flinkpipelines.common.parse;

import dev.flinkpipelines.common.events.VideoView;
import dev.flinkpipelines.common.kafka.SourceCoordinates;

/**
 * docs/CONTRACTS.md, {@code video-views}: event_id, video_id, user_id and session_id present;
 * timestamp ISO-8601; view_duration whole seconds 0..86400. device_type, geo_location, referrer and
 * quality are optional. revenue_eligible is optional and false when absent: a view is billed only
 * when the producer says it may be.
 */
public final class VideoViewParser implements RecordParser<VideoView> {

    private static final long serialVersionUID = 1L;

    @Override
    public VideoView parse(JsonRecord json, SourceCoordinates source)
            throws InvalidRecordException {
        return new VideoView(
                json.requireString("event_id", 100),
                json.requireString("video_id", 100),
                json.requireString("user_id", 100),
                json.requireString("session_id", 100),
                json.requireInstant("timestamp"),
                json.requireInt("view_duration", 0, 86_400),
                json.optionalString("device_type", 50),
                json.optionalString("geo_location", 50),
                json.optionalString("referrer", 500),
                json.optionalString("quality", 20),
                json.has("revenue_eligible") && json.requireBoolean("revenue_eligible"),
                source);
    }
}
