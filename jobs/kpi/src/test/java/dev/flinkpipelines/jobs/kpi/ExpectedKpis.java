package dev.flinkpipelines.jobs.kpi;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What kpi_1m must hold, computed with plain arithmetic over the valid events a test produced —
 * independently of the job's accumulator, so the two can disagree.
 */
final class ExpectedKpis {

    /** The event types, in the order of the kpi_1m count columns. */
    static final String[] TYPES = {
        "order_created", "payment_initiated", "payment_success", "payment_failed", "order_cancelled"
    };

    private final Map<String, long[]> counts = new TreeMap<>();
    private final Map<String, BigDecimal> revenue = new TreeMap<>();

    /** One valid event in the row {@code window|currency}, as the test writes its key. */
    void add(String windowAndCurrency, String type, BigDecimal amount) {
        int column = List.of(TYPES).indexOf(type);
        if (column < 0) {
            throw new IllegalArgumentException("not an order event type: " + type);
        }
        counts.computeIfAbsent(windowAndCurrency, k -> new long[TYPES.length])[column]++;
        revenue.merge(
                windowAndCurrency,
                type.equals("payment_success") ? amount : BigDecimal.ZERO,
                BigDecimal::add);
    }

    /**
     * The rows by key: key|revenue|created|initiated|success|failed|cancelled|avg value|success %.
     */
    List<String> rows() {
        List<String> rows = new ArrayList<>();
        counts.forEach(
                (key, c) -> {
                    BigDecimal r = revenue.get(key).setScale(2);
                    long success = c[2];
                    long failed = c[3];
                    String avg =
                            success == 0
                                    ? "null"
                                    : r.divide(BigDecimal.valueOf(success), 2, RoundingMode.HALF_UP)
                                            .toPlainString();
                    String rate =
                            success + failed == 0
                                    ? "null"
                                    : BigDecimal.valueOf(100L * success)
                                            .divide(
                                                    BigDecimal.valueOf(success + failed),
                                                    2,
                                                    RoundingMode.HALF_UP)
                                            .toPlainString();
                    rows.add(
                            String.join(
                                    "|",
                                    key,
                                    r.toPlainString(),
                                    String.valueOf(c[0]),
                                    String.valueOf(c[1]),
                                    String.valueOf(c[2]),
                                    String.valueOf(c[3]),
                                    String.valueOf(c[4]),
                                    avg,
                                    rate));
                });
        return rows;
    }
}
