package dev.flinkpipelines.jobs.drinkshop;

import dev.flinkpipelines.common.events.DrinkOrder;
import dev.flinkpipelines.common.events.TimestampedEvent;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of a drinks order, on its own so it can be joined with its menu item. Carries whether
 * its order's total disagreed with the sum of its lines.
 */
public record OrderLine(
        String orderId,
        int lineNo,
        String userId,
        String menuId,
        int qty,
        BigDecimal unitPrice,
        Instant createdAt,
        boolean orderTotalMismatch,
        SourceCoordinates source)
        implements TimestampedEvent {

    @Override
    public long eventTimeMillis() {
        return createdAt.toEpochMilli();
    }

    public BigDecimal lineTotal() {
        return unitPrice.multiply(BigDecimal.valueOf(qty));
    }

    /** The lines of an order, numbered from 1 in order. */
    public static List<OrderLine> of(DrinkOrder order) {
        BigDecimal sum = BigDecimal.ZERO;
        for (DrinkOrder.Item item : order.items()) {
            sum = sum.add(item.price().multiply(BigDecimal.valueOf(item.qty())));
        }
        boolean mismatch = sum.compareTo(order.total()) != 0;
        List<OrderLine> lines = new ArrayList<>(order.items().size());
        for (int i = 0; i < order.items().size(); i++) {
            DrinkOrder.Item item = order.items().get(i);
            lines.add(
                    new OrderLine(
                            order.orderId(),
                            i + 1,
                            order.userId(),
                            item.menuId(),
                            item.qty(),
                            item.price(),
                            order.createdAt(),
                            mismatch,
                            order.source()));
        }
        return lines;
    }
}
