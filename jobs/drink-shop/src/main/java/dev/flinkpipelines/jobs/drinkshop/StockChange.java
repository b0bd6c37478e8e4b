package dev.flinkpipelines.jobs.drinkshop;

import dev.flinkpipelines.common.events.InventoryEvent;
import dev.flinkpipelines.common.events.TimestampedEvent;
import java.util.Locale;

/** A change of one item's stock: an inventory event, or a sale from an order line. */
public record StockChange(String menuId, int delta, long eventTime, String cause)
        implements TimestampedEvent {

    @Override
    public long eventTimeMillis() {
        return eventTime;
    }

    static StockChange of(InventoryEvent e) {
        return new StockChange(
                e.menuId(),
                e.delta(),
                e.eventTimeMillis(),
                e.reason().name().toLowerCase(Locale.ROOT) + " " + e.source());
    }

    static StockChange sale(EnrichedLine e) {
        OrderLine line = e.line();
        return new StockChange(
                line.menuId(),
                -line.qty(),
                line.eventTimeMillis(),
                "order " + line.orderId() + "#" + line.lineNo());
    }
}
