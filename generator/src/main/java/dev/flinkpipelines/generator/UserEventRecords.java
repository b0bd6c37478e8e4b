package dev.flinkpipelines.generator;

import java.nio.charset.StandardCharsets;

/**
 * Realistic traffic for the {@code user-events} topic: a few popular movies and many quiet ones,
 * engaged users and casual ones, browsing far more common than rating; plus, at configurable
 * fractions, records that are invalid (each kind the job must dead-letter), duplicated (the same
 * payload sent again), out of order (a few seconds old) and late (minutes old, beyond the job's
 * default allowed lateness).
 */
public final class UserEventRecords extends KindedTraffic {

    private static final String[] TYPES = {
        "view", "click", "play", "pause", "like", "share", "rate"
    };
    private static final int[] TYPE_WEIGHTS = {40, 25, 15, 8, 6, 4, 2};

    public UserEventRecords(long seed, Fractions fractions) {
        super(seed, fractions);
    }

    @Override
    protected Generated valid(Kind kind, long nowMillis) {
        long timestamp = Fractions.eventTime(kind, nowMillis, random);
        int user = skewed(1_000, 1.2);
        // keyed by user, as a real producer would: one user's events stay in order, and every
        // partition keeps receiving data (un-keyed records stick to one partition for a while,
        // and a partition left silent holds the watermark back)
        return new Generated(
                kind,
                String.valueOf(user).getBytes(StandardCharsets.UTF_8),
                json(user, skewed(200, 1.4), type(), timestamp));
    }

    @Override
    protected byte[] invalid(long nowMillis) {
        switch (random.nextInt(6)) {
            case 0:
                return "{\"user_id\":12,\"movie_id\":"
                        .getBytes(StandardCharsets.UTF_8); // truncated JSON
            case 1:
                return ("{\"movie_id\":5,\"event_type\":\"click\",\"timestamp\":" + nowMillis + "}")
                        .getBytes(StandardCharsets.UTF_8);
            case 2:
                return ("{\"user_id\":-7,\"movie_id\":5,\"event_type\":\"click\",\"timestamp\":"
                                + nowMillis
                                + "}")
                        .getBytes(StandardCharsets.UTF_8);
            case 3:
                return ("{\"user_id\":\"seven\",\"movie_id\":5,\"event_type\":\"click\",\"timestamp\":"
                                + nowMillis
                                + "}")
                        .getBytes(StandardCharsets.UTF_8);
            case 4:
                return new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}; // not UTF-8
            default:
                return new byte[0];
        }
    }

    private static byte[] json(int user, int movie, String type, long timestamp) {
        return userEventJson(user, movie, type, timestamp).getBytes(StandardCharsets.UTF_8);
    }

    /** One user-events payload as the contract writes it. For the generator and for tests. */
    public static String userEventJson(int user, int movie, String type, long timestampMillis) {
        return "{\"user_id\":"
                + user
                + ",\"movie_id\":"
                + movie
                + ",\"event_type\":\""
                + type
                + "\",\"timestamp\":"
                + timestampMillis
                + "}";
    }

    private String type() {
        int pick = random.nextInt(100);
        for (int i = 0; i < TYPES.length; i++) {
            pick -= TYPE_WEIGHTS[i];
            if (pick < 0) {
                return TYPES[i];
            }
        }
        return TYPES[0];
    }

    /** 1..n, small values far more likely (a power-law tail: popular movies, engaged users). */
    private int skewed(int n, double exponent) {
        double u = random.nextDouble();
        return 1 + (int) Math.min(n - 1, Math.floor(Math.pow(u, exponent * 3) * n));
    }
}
