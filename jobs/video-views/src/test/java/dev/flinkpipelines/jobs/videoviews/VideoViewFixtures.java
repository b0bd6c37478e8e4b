package dev.flinkpipelines.jobs.videoviews;

/** The video-views topic's JSON records, as the tests write them. */
final class VideoViewFixtures {

    private VideoViewFixtures() {}

    static String view(String id, String video, String time, int seconds, boolean revenue) {
        return "{\"event_id\":\""
                + id
                + "\",\"video_id\":\""
                + video
                + "\",\"user_id\":\"u1\",\"session_id\":\"s1\","
                + "\"timestamp\":\"2025-01-01T"
                + time
                + "Z\",\"view_duration\":"
                + seconds
                + ",\"device_type\":\"web\","
                + "\"geo_location\":\"VN\",\"referrer\":\"https://example.test/\",\"quality\":\"1080p\",\"revenue_eligible\":"
                + revenue
                + "}";
    }
}
