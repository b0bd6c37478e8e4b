package dev.flinkpipelines.common.events;

import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.math.BigDecimal;
import java.time.Instant;

/** Shop order/payment lifecycle event (docs/CONTRACTS.md), read from {@code events_raw}. */
public record OrderEvent(
        String id,
        Instant eventTime,
        Type eventType,
        String orderId,
        String userId,
        BigDecimal amount,
        Currency currency,
        Status status,
        SourceCoordinates source)
        implements TimestampedEvent {

    public enum Type {
        ORDER_CREATED,
        PAYMENT_INITIATED,
        PAYMENT_SUCCESS,
        PAYMENT_FAILED,
        ORDER_CANCELLED
    }

    public enum Currency {
        VND,
        USD
    }

    public enum Status {
        SUCCESS,
        FAILED,
        PENDING
    }

    @Override
    public long eventTimeMillis() {
        return eventTime.toEpochMilli();
    }
}
