package dev.flinkpipelines.jobs.kpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class KpiAggregateTest {

    private final KpiAggregate aggregate = new KpiAggregate();

    static OrderEvent event(OrderEvent.Type type, String amount) {
        return new OrderEvent(
                "id",
                Instant.parse("2025-11-30T15:30:00Z"),
                type,
                "ORD1",
                "USR1",
                new BigDecimal(amount),
                OrderEvent.Currency.USD,
                OrderEvent.Status.SUCCESS,
                new SourceCoordinates("events_clean", 0, 0));
    }

    @Test
    void revenueIsAnExactDecimalSumOfSuccessfulPaymentsOnly() {
        KpiAccumulator acc = aggregate.createAccumulator();
        for (int i = 0; i < 10; i++) {
            acc = aggregate.add(event(OrderEvent.Type.PAYMENT_SUCCESS, "0.10"), acc);
        }
        acc = aggregate.add(event(OrderEvent.Type.PAYMENT_SUCCESS, "0.20"), acc);
        acc = aggregate.add(event(OrderEvent.Type.ORDER_CREATED, "500.00"), acc);
        acc = aggregate.add(event(OrderEvent.Type.PAYMENT_FAILED, "70.00"), acc);
        acc = aggregate.add(event(OrderEvent.Type.PAYMENT_INITIATED, "70.00"), acc);
        acc = aggregate.add(event(OrderEvent.Type.ORDER_CANCELLED, "9.00"), acc);
        assertEquals(
                new BigDecimal("1.20"),
                acc.revenue,
                "ten times 0.10 plus 0.20 is exactly 1.20 (no float)");
        assertEquals(11, acc.paymentSuccess);
        assertEquals(1, acc.ordersCreated);
        assertEquals(1, acc.paymentFailed);
        assertEquals(1, acc.paymentsInitiated);
        assertEquals(1, acc.ordersCancelled);
        assertEquals(
                new BigDecimal("0.11"),
                acc.avgOrderValue(),
                "1.20 / 11 = 0.109.. rounds half up to 0.11");
        assertEquals(new BigDecimal("91.67"), acc.successRate(), "11 / 12 x 100");
    }

    @Test
    void aWindowWithoutPaymentsHasNoAverageAndNoSuccessRate() {
        KpiAccumulator acc =
                aggregate.add(
                        event(OrderEvent.Type.ORDER_CREATED, "10.00"),
                        aggregate.createAccumulator());
        assertEquals(new BigDecimal("0.00"), acc.revenue);
        assertNull(acc.avgOrderValue());
        assertNull(acc.successRate());
        KpiAccumulator onlyFailed =
                aggregate.add(
                        event(OrderEvent.Type.PAYMENT_FAILED, "10.00"),
                        aggregate.createAccumulator());
        assertEquals(new BigDecimal("0.00"), onlyFailed.successRate());
    }

    @Test
    void mergeAddsEverything() {
        KpiAccumulator a =
                aggregate.add(
                        event(OrderEvent.Type.PAYMENT_SUCCESS, "1.05"),
                        aggregate.createAccumulator());
        KpiAccumulator b =
                aggregate.add(
                        event(OrderEvent.Type.PAYMENT_FAILED, "2.00"),
                        aggregate.createAccumulator());
        b = aggregate.add(event(OrderEvent.Type.PAYMENT_SUCCESS, "2.95"), b);
        KpiAccumulator m = aggregate.merge(a, b);
        assertEquals(new BigDecimal("4.00"), m.revenue);
        assertEquals(2, m.paymentSuccess);
        assertEquals(1, m.paymentFailed);
        assertEquals(new BigDecimal("66.67"), m.successRate());
    }
}
