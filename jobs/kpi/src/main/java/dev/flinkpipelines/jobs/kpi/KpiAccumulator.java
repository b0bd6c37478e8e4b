package dev.flinkpipelines.jobs.kpi;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The running KPIs of one currency and minute: a handful of counters and an exact revenue sum,
 * never the events themselves. A Flink POJO (public fields, no-arg constructor) so window state is
 * serialized without Kryo.
 */
public class KpiAccumulator {

    public BigDecimal revenue = BigDecimal.ZERO.setScale(2);
    public long ordersCreated;
    public long paymentsInitiated;
    public long paymentSuccess;
    public long paymentFailed;
    public long ordersCancelled;

    public KpiAccumulator() {}

    /** revenue / payment_success, rounded half-up to cents; null without successful payments. */
    public BigDecimal avgOrderValue() {
        return paymentSuccess == 0
                ? null
                : revenue.divide(BigDecimal.valueOf(paymentSuccess), 2, RoundingMode.HALF_UP);
    }

    /**
     * payment_success / (payment_success + payment_failed) x 100, two decimals; null without
     * payments.
     */
    public BigDecimal successRate() {
        long payments = paymentSuccess + paymentFailed;
        return payments == 0
                ? null
                : BigDecimal.valueOf(paymentSuccess * 100L)
                        .divide(BigDecimal.valueOf(payments), 2, RoundingMode.HALF_UP);
    }
}
