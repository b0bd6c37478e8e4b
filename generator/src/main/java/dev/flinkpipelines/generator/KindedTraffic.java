package dev.flinkpipelines.generator;

import java.util.Random;

/**
 * The part every topic's traffic shares: pick the next record's kind from the fractions, make an
 * invalid record, resend the previous one as a duplicate, or ask the topic for a valid one.
 */
abstract class KindedTraffic implements TrafficSource {

    protected final Random random;
    private final Fractions fractions;
    private Generated previous;

    KindedTraffic(long seed, Fractions fractions) {
        this.random = new Random(seed);
        this.fractions = fractions;
    }

    @Override
    public final Generated next(long nowMillis) {
        Kind kind = fractions.pick(random.nextDouble(), previous != null);
        if (kind == Kind.INVALID) {
            return new Generated(kind, null, invalid(nowMillis));
        }
        if (kind == Kind.DUPLICATE) {
            return new Generated(kind, previous.key(), previous.value());
        }
        previous = valid(kind, nowMillis);
        return previous;
    }

    /** A record this topic's job must dead-letter. */
    protected abstract byte[] invalid(long nowMillis);

    /**
     * A valid record of {@code kind}: VALID, OUT_OF_ORDER (seconds old) or LATE (minutes old or
     * more).
     */
    protected abstract Generated valid(Kind kind, long nowMillis);
}
