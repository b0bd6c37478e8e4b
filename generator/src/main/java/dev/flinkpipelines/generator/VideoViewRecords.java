package dev.flinkpipelines.generator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Realistic traffic for {@code video-views}: a few videos take most views, viewers watch several
 * videos per session, about a third of views are too short to count, most are revenue eligible;
 * plus invalid records, duplicates (the same event sent again), out-of-order and late views (three
 * hours old: beyond the default allowed lateness, so ledgered as late).
 */
public final class VideoViewRecords extends KindedTraffic {

    private static final String[] DEVICES = {"web", "ios", "android", "tv"};
    private static final String[] GEO = {"VN", "VN", "VN", "SG", "US", "JP", "TH"};
    private static final String[] QUALITY = {"480p", "720p", "1080p", "4k"};

    private String session = UUID.randomUUID().toString();
    private String user = "u1";

    public VideoViewRecords(long seed, Fractions fractions) {
        super(seed, fractions);
    }

    @Override
    protected byte[] invalid(long nowMillis) {
        return ("{\"event_id\":\""
                        + UUID.randomUUID()
                        + "\",\"video_id\":\"v1\",\"user_id\":\"u\","
                        + "\"session_id\":\"s\",\"timestamp\":\""
                        + Instant.ofEpochMilli(nowMillis)
                        + "\",\"view_duration\":-3}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected Generated valid(Kind kind, long nowMillis) {
        if (random.nextInt(4) == 0) {
            session = UUID.randomUUID().toString();
            user = "u" + (1 + random.nextInt(5_000));
        }
        long time =
                kind == Kind.LATE
                        ? nowMillis - 3 * 3_600_000L - random.nextInt(600_000)
                        : Fractions.eventTime(kind, nowMillis, random);
        String video = "v" + (1 + (int) Math.floor(Math.pow(random.nextDouble(), 3) * 200));
        int seconds = random.nextInt(3) == 0 ? random.nextInt(30) : 30 + random.nextInt(1_800);
        String eventId = UUID.randomUUID().toString();
        byte[] value =
                ("{\"event_id\":\""
                                + eventId
                                + "\",\"video_id\":\""
                                + video
                                + "\",\"user_id\":\""
                                + user
                                + "\",\"session_id\":\""
                                + session
                                + "\",\"timestamp\":\""
                                + Instant.ofEpochMilli(time)
                                + "\",\"view_duration\":"
                                + seconds
                                + ",\"device_type\":\""
                                + DEVICES[random.nextInt(DEVICES.length)]
                                + "\",\"geo_location\":\""
                                + GEO[random.nextInt(GEO.length)]
                                + "\",\"referrer\":\"https://social.example/post/"
                                + random.nextInt(1000)
                                + "\",\"quality\":\""
                                + QUALITY[random.nextInt(QUALITY.length)]
                                + "\",\"revenue_eligible\":"
                                + (random.nextInt(5) != 0)
                                + "}")
                        .getBytes(StandardCharsets.UTF_8);
        return new Generated(kind, eventId.getBytes(StandardCharsets.UTF_8), value);
    }
}
