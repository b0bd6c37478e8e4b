package dev.flinkpipelines.bench;

import java.util.Arrays;

/**
 * Percentiles of a sample by the nearest-rank method: the smallest value with at least p % of the
 * sample at or below it.
 */
final class Percentiles {

    private final long[] sorted;

    Percentiles(long[] values) {
        this.sorted = values.clone();
        Arrays.sort(sorted);
    }

    int count() {
        return sorted.length;
    }

    /**
     * @param p in (0, 100]
     */
    long at(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        if (sorted.length == 0) {
            throw new IllegalStateException("no values");
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    long max() {
        return at(100);
    }
}
