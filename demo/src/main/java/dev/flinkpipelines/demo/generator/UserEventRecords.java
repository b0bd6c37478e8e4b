package dev.flinkpipelines.demo.generator;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Realistic traffic for the {@code user-events} topic: a few popular movies and many quiet ones,
 * engaged users and casual ones, browsing far more common than rating; plus, at configurable
 * fractions, records that are invalid (each kind the job must dead-letter), duplicated
 * (the same payload sent again), out of order (a few seconds old) and late (minutes old, beyond
 * the job's default allowed lateness).
 */
public final class UserEventRecords {

    private static final String[] TYPES = {"view", "click", "play", "pause", "like", "share", "rate"};
    private static final int[] TYPE_WEIGHTS = {40, 25, 15, 8, 6, 4, 2};

    private final Random random;
    private final Fractions fractions;
    private byte[] previous;

    /** Fractions of the records, each between 0 and 1. */
    public record Fractions(double invalid, double duplicate, double outOfOrder, double late) {
        public Fractions {
            for (double f : new double[] {invalid, duplicate, outOfOrder, late}) {
                if (f < 0 || f > 1) {
                    throw new IllegalArgumentException("fractions are between 0 and 1: " + f);
                }
            }
            if (invalid + duplicate + outOfOrder + late > 1) {
                throw new IllegalArgumentException("the fractions add up to more than 1");
            }
        }
    }

    /** What a record is, for the generator's own statistics. */
    public enum Kind { VALID, INVALID, DUPLICATE, OUT_OF_ORDER, LATE }

    /** One generated record. */
    public record Generated(Kind kind, byte[] value) {}

    public UserEventRecords(long seed, Fractions fractions) {
        this.random = new Random(seed);
        this.fractions = fractions;
    }

    public Generated next(long nowMillis) {
        double roll = random.nextDouble();
        if (roll < fractions.invalid()) {
            return new Generated(Kind.INVALID, invalid(nowMillis));
        }
        roll -= fractions.invalid();
        if (roll < fractions.duplicate() && previous != null) {
            return new Generated(Kind.DUPLICATE, previous);
        }
        roll -= fractions.duplicate();
        Kind kind = Kind.VALID;
        long timestamp = nowMillis;
        if (roll < fractions.outOfOrder()) {
            kind = Kind.OUT_OF_ORDER;
            timestamp = nowMillis - 1_000 - random.nextInt(3_000);
        } else if (roll - fractions.outOfOrder() < fractions.late()) {
            kind = Kind.LATE;
            timestamp = nowMillis - 120_000 - random.nextInt(60_000);
        }
        byte[] value = json(skewed(1_000, 1.2), skewed(200, 1.4), type(), timestamp);
        previous = value;
        return new Generated(kind, value);
    }

    private byte[] invalid(long nowMillis) {
        switch (random.nextInt(6)) {
            case 0:
                return "{\"user_id\":12,\"movie_id\":".getBytes(StandardCharsets.UTF_8); // truncated JSON
            case 1:
                return ("{\"movie_id\":5,\"event_type\":\"click\",\"timestamp\":" + nowMillis + "}").getBytes(StandardCharsets.UTF_8);
            case 2:
                return ("{\"user_id\":-7,\"movie_id\":5,\"event_type\":\"click\",\"timestamp\":" + nowMillis + "}").getBytes(StandardCharsets.UTF_8);
            case 3:
                return ("{\"user_id\":\"seven\",\"movie_id\":5,\"event_type\":\"click\",\"timestamp\":" + nowMillis + "}").getBytes(StandardCharsets.UTF_8);
            case 4:
                return new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}; // not UTF-8
            default:
                return new byte[0];
        }
    }

    private static byte[] json(int user, int movie, String type, long timestamp) {
        return ("{\"user_id\":" + user + ",\"movie_id\":" + movie + ",\"event_type\":\"" + type + "\",\"timestamp\":"
                + timestamp + "}").getBytes(StandardCharsets.UTF_8);
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
