package dev.flinkpipelines.generator;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * Traffic for the drink shop's three topics from one small Vietnamese menu: the menu is created
 * first, prices change now and then; orders of 1-5 items at the current price (sometimes at an old
 * price, or with a wrong total); restocks when stock runs low and a little waste. Names stay in
 * UTF-8 end to end. Its {@link #sources()} feed the three topics.
 */
public final class DrinkShopRecords {

    private static final String[][] MENU = {
        {"m-1", "Trà sữa trân châu", "milk tea", "45000"},
        {"m-2", "Cà phê sữa đá", "coffee", "29000"},
        {"m-3", "Trà đào cam sả", "fruit tea", "49000"},
        {"m-4", "Sinh tố bơ", "smoothie", "55000"},
        {"m-5", "Nước ép cam", "juice", "39000"},
        {"m-6", "Bạc xỉu", "coffee", "32000"},
    };

    private final Random random;
    private final TrafficSource.Fractions fractions;
    private final BigDecimal[] prices = new BigDecimal[MENU.length];
    private final int[] stock = new int[MENU.length];
    private int created;
    private long orderNo = 1;

    public DrinkShopRecords(long seed, TrafficSource.Fractions fractions) {
        this.random = new Random(seed);
        this.fractions = fractions;
        for (int i = 0; i < MENU.length; i++) {
            prices[i] = new BigDecimal(MENU[i][3]);
        }
    }

    /** The three topics' traffic as separate sources sharing this shop's state. */
    public List<TrafficSource> sources() {
        return List.of(this::nextOrder, this::nextMenuUpdate, this::nextInventoryEvent);
    }

    TrafficSource.Generated nextMenuUpdate(long now) {
        if (created < MENU.length) {
            String[] item = MENU[created++];
            return valid(item[0], menuJson(item, "create", prices[created - 1], now));
        }
        if (random.nextInt(40) != 0) {
            return null; // the menu changes rarely
        }
        TrafficSource.Kind kind = fractions.pick(random.nextDouble(), false);
        if (kind == TrafficSource.Kind.INVALID) {
            return new TrafficSource.Generated(
                    kind,
                    null,
                    "{\"menu_id\":\"m-1\",\"action\":\"rename\"}".getBytes(StandardCharsets.UTF_8));
        }
        int i = random.nextInt(MENU.length);
        // prices move by a thousand dong, now and then
        prices[i] =
                prices[i]
                        .add(BigDecimal.valueOf(random.nextBoolean() ? 1000 : -1000))
                        .max(new BigDecimal("10000"));
        return valid(
                MENU[i][0],
                menuJson(
                        MENU[i],
                        "update",
                        prices[i],
                        TrafficSource.Fractions.eventTime(kind, now, random)));
    }

    TrafficSource.Generated nextOrder(long now) {
        TrafficSource.Kind kind = fractions.pick(random.nextDouble(), false);
        if (kind == TrafficSource.Kind.INVALID) {
            return new TrafficSource.Generated(
                    kind,
                    null,
                    "{\"order_id\":\"bad\",\"user_id\":\"u\",\"items\":[],\"total\":0,\"created_at\":\"now\"}"
                            .getBytes(StandardCharsets.UTF_8));
        }
        int n = 1 + random.nextInt(5);
        StringBuilder items = new StringBuilder();
        BigDecimal total = BigDecimal.ZERO;
        for (int k = 0; k < n; k++) {
            int i = random.nextInt(MENU.length);
            int qty = 1 + random.nextInt(3);
            BigDecimal price =
                    random.nextInt(20) == 0
                            ? prices[i].subtract(BigDecimal.valueOf(1000))
                            : prices[i];
            items.append(k == 0 ? "" : ",")
                    .append("{\"menu_id\":\"")
                    .append(MENU[i][0])
                    .append("\",\"qty\":")
                    .append(qty)
                    .append(",\"price\":")
                    .append(price.toPlainString())
                    .append('}');
            total = total.add(price.multiply(BigDecimal.valueOf(qty)));
            stock[i] -= qty;
        }
        if (random.nextInt(50) == 0) {
            total = total.add(BigDecimal.valueOf(500)); // a till that rounds
        }
        String id = "ORD-" + orderNo++;
        String json =
                "{\"order_id\":\""
                        + id
                        + "\",\"user_id\":\"KH"
                        + (100 + random.nextInt(400))
                        + "\",\"items\":["
                        + items
                        + "],\"total\":"
                        + total.toPlainString()
                        + ",\"created_at\":\""
                        + Instant.ofEpochMilli(TrafficSource.Fractions.eventTime(kind, now, random))
                        + "\"}";
        return new TrafficSource.Generated(
                kind, id.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
    }

    TrafficSource.Generated nextInventoryEvent(long now) {
        for (int i = 0; i < MENU.length; i++) {
            if (stock[i] < 15) {
                stock[i] += 60;
                return valid(MENU[i][0], inventoryJson(MENU[i][0], 60, "restock", now));
            }
        }
        if (random.nextInt(10) != 0) {
            return null; // nothing moved in the store room
        }
        int i = random.nextInt(MENU.length);
        stock[i] -= 1;
        return valid(MENU[i][0], inventoryJson(MENU[i][0], -1, "waste", now));
    }

    private static TrafficSource.Generated valid(String key, String json) {
        return new TrafficSource.Generated(
                TrafficSource.Kind.VALID,
                key.getBytes(StandardCharsets.UTF_8),
                json.getBytes(StandardCharsets.UTF_8));
    }

    private static String menuJson(String[] item, String action, BigDecimal price, long time) {
        return menuJson(item[0], action, item[1], item[2], price, time);
    }

    /** One menu_updates payload as the contract writes it. For the generator and for tests. */
    public static String menuJson(
            String menuId,
            String action,
            String name,
            String category,
            BigDecimal price,
            long timeMillis) {
        return "{\"menu_id\":\""
                + menuId
                + "\",\"action\":\""
                + action
                + "\",\"name\":\""
                + name
                + "\",\"category\":\""
                + category
                + "\",\"price\":"
                + price.toPlainString()
                + ",\"timestamp\":\""
                + Instant.ofEpochMilli(timeMillis)
                + "\"}";
    }

    /** One inventory_events payload as the contract writes it. For the generator and for tests. */
    public static String inventoryJson(String menuId, int delta, String reason, long time) {
        return "{\"menu_id\":\""
                + menuId
                + "\",\"delta\":"
                + delta
                + ",\"reason\":\""
                + reason
                + "\",\"timestamp\":\""
                + Instant.ofEpochMilli(time)
                + "\"}";
    }
}
