package dev.flinkpipelines.jobs.drinkshop;

import java.math.BigDecimal;

/**
 * An order line with the menu version valid at the order's time. {@code menuStatus} is {@code ok},
 * {@code unknown} (no version at that time) or {@code deleted}; name, category and menu price are
 * null unless ok.
 */
public record EnrichedLine(
        OrderLine line, String name, String category, BigDecimal menuPrice, String menuStatus) {

    public static final String OK = "ok";
    public static final String UNKNOWN = "unknown";
    public static final String DELETED = "deleted";

    /** The order's price differs from the menu's at that time. */
    public boolean priceMismatch() {
        return menuPrice != null && menuPrice.compareTo(line.unitPrice()) != 0;
    }
}
