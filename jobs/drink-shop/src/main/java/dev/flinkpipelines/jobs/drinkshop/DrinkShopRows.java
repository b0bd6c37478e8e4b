package dev.flinkpipelines.jobs.drinkshop;

import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableSpec;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** The drink-shop job's tables (sql/migrations/V5) and their rows. */
final class DrinkShopRows {

    static final TableSpec ORDER_ITEMS =
            TableSpec.appendIgnoringDuplicates(
                    "order_items_enriched",
                    "order_id",
                    "line_no",
                    "user_id",
                    "menu_id",
                    "name",
                    "category",
                    "qty",
                    "unit_price",
                    "line_total",
                    "menu_price",
                    "menu_status",
                    "price_mismatch",
                    "order_total_mismatch",
                    "created_at",
                    "kafka_partition",
                    "kafka_offset");
    static final TableSpec ITEM_SALES =
            TableSpec.upsert(
                    "item_sales_1m",
                    List.of("window_start", "menu_id"),
                    "window_start",
                    "window_end",
                    "menu_id",
                    "qty",
                    "revenue",
                    "updated_at");

    /** One row per stock change: the latest in event time wins, whatever order rows arrive in. */
    static final TableSpec INVENTORY_LEVELS =
            TableSpec.upsert(
                            "inventory_levels",
                            List.of("menu_id"),
                            "menu_id",
                            "stock",
                            "as_of",
                            "updated_at")
                    .keepingGreatest("as_of");

    static final TableSpec INVENTORY_ALERTS =
            TableSpec.appendIgnoringDuplicates(
                    "inventory_alerts",
                    "menu_id",
                    "alert_no",
                    "stock",
                    "threshold",
                    "event_time",
                    "triggered_by");

    private DrinkShopRows() {}

    static TableRow orderItem(EnrichedLine e) {
        OrderLine l = e.line();
        return TableRow.of(
                ORDER_ITEMS.name(),
                l.orderId(),
                l.lineNo(),
                l.userId(),
                l.menuId(),
                e.name(),
                e.category(),
                l.qty(),
                l.unitPrice(),
                l.lineTotal(),
                e.menuPrice(),
                e.menuStatus(),
                e.priceMismatch(),
                l.orderTotalMismatch(),
                l.createdAt(),
                l.source().partition(),
                l.source().offset());
    }

    static TableRow itemSales(
            long start, long end, String menuId, long qty, BigDecimal revenue, Instant updatedAt) {
        return TableRow.of(
                ITEM_SALES.name(),
                Instant.ofEpochMilli(start),
                Instant.ofEpochMilli(end),
                menuId,
                qty,
                revenue,
                updatedAt);
    }

    static TableRow stockLevel(String menuId, long stock, Instant asOf, Instant updatedAt) {
        return TableRow.of(INVENTORY_LEVELS.name(), menuId, stock, asOf, updatedAt);
    }

    static TableRow alert(
            String menuId,
            int alertNo,
            long stock,
            long threshold,
            Instant eventTime,
            String cause) {
        return TableRow.of(
                INVENTORY_ALERTS.name(), menuId, alertNo, stock, threshold, eventTime, cause);
    }
}
