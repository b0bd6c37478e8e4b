package dev.flinkpipelines.generator;

/** Realistic records for one topic, including the configured share of bad and awkward ones. */
public interface TrafficSource {

    /** What a record is, for the generator's own statistics and the demo's final check. */
    enum Kind {
        VALID,
        INVALID,
        DUPLICATE,
        OUT_OF_ORDER,
        LATE
    }

    /** One generated record; {@code key} may be null. */
    record Generated(Kind kind, byte[] key, byte[] value) {}

    /** Fractions of the records, each between 0 and 1, together at most 1. */
    record Fractions(double invalid, double duplicate, double outOfOrder, double late) {
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

        /** Picks a kind for the next record from one uniform roll in [0, 1). */
        Kind pick(double roll, boolean canDuplicate) {
            if (roll < invalid) {
                return Kind.INVALID;
            }
            roll -= invalid;
            if (roll < duplicate) {
                return canDuplicate ? Kind.DUPLICATE : Kind.VALID;
            }
            roll -= duplicate;
            if (roll < outOfOrder) {
                return Kind.OUT_OF_ORDER;
            }
            return roll - outOfOrder < late ? Kind.LATE : Kind.VALID;
        }

        /** Event time for a record of this kind: a few seconds old, minutes old, or now. */
        static long eventTime(Kind kind, long nowMillis, java.util.Random random) {
            switch (kind) {
                case OUT_OF_ORDER:
                    return nowMillis - 1_000 - random.nextInt(3_000);
                case LATE:
                    return nowMillis - 120_000 - random.nextInt(60_000);
                default:
                    return nowMillis;
            }
        }
    }

    /** The next record, or null when this topic has nothing to send this time. */
    Generated next(long nowMillis);
}
