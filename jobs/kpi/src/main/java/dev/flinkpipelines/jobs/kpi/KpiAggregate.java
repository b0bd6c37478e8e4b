package dev.flinkpipelines.jobs.kpi;

import dev.flinkpipelines.common.events.OrderEvent;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Adds one clean order event to its window's KPIs. */
public final class KpiAggregate
        implements AggregateFunction<OrderEvent, KpiAccumulator, KpiAccumulator> {

    private static final long serialVersionUID = 1L;

    @Override
    public KpiAccumulator createAccumulator() {
        return new KpiAccumulator();
    }

    @Override
    public KpiAccumulator add(OrderEvent event, KpiAccumulator acc) {
        switch (event.eventType()) {
            case ORDER_CREATED:
                acc.ordersCreated++;
                break;
            case PAYMENT_INITIATED:
                acc.paymentsInitiated++;
                break;
            case PAYMENT_SUCCESS:
                acc.paymentSuccess++;
                acc.revenue = acc.revenue.add(event.amount());
                break;
            case PAYMENT_FAILED:
                acc.paymentFailed++;
                break;
            case ORDER_CANCELLED:
                acc.ordersCancelled++;
                break;
            default:
                throw new IllegalArgumentException("unknown event type " + event.eventType());
        }
        return acc;
    }

    @Override
    public KpiAccumulator getResult(KpiAccumulator acc) {
        return acc;
    }

    @Override
    public KpiAccumulator merge(KpiAccumulator a, KpiAccumulator b) {
        KpiAccumulator m = new KpiAccumulator();
        m.revenue = a.revenue.add(b.revenue);
        m.ordersCreated = a.ordersCreated + b.ordersCreated;
        m.paymentsInitiated = a.paymentsInitiated + b.paymentsInitiated;
        m.paymentSuccess = a.paymentSuccess + b.paymentSuccess;
        m.paymentFailed = a.paymentFailed + b.paymentFailed;
        m.ordersCancelled = a.ordersCancelled + b.ordersCancelled;
        return m;
    }
}
