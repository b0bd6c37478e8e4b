package dev.flinkpipelines.jobs.drinkshop;

import java.util.List;

/** The drink-shop topics' JSON records, as the tests write them. */
final class DrinkShopFixtures {

    private DrinkShopFixtures() {}

    /**
     * The exact-rows fixture: two items, one repriced and one deleted, an unknown item and an
     * action that does not exist; price and total mismatches; stock that ends below, at and above
     * the alert threshold; one invalid record per topic.
     */
    static final List<String> MENU =
            List.of(
                    menu("m-1", "create", "Trà sữa", "milk tea", "40000", "10:00:00"),
                    menu("m-2", "create", "Cà phê sữa đá", "coffee", "25000", "10:00:00"),
                    menu("m-1", "update", "Trà sữa", "milk tea", "45000", "10:02:00"),
                    "{\"menu_id\":\"m-2\",\"action\":\"delete\",\"timestamp\":\"2025-01-01T10:03:00Z\"}",
                    menu("m-3", "rename", "x", "y", "1", "10:00:00"));

    static final List<String> STOCK =
            List.of(
                    stock("m-1", 20, "restock", "10:00:00"),
                    stock("m-2", 12, "restock", "10:00:00"),
                    "{\"menu_id\":\"m-1\",\"delta\":\"x\",\"reason\":\"waste\",\"timestamp\":\"2025-01-01T10:00:00Z\"}");

    static final List<String> ORDERS =
            List.of(
                    order("o1", "u1", "10:01:00", "105000", "m-1", 2, "40000", "m-2", 1, "25000"),
                    order("o2", "u2", "10:02:30", "120000", "m-1", 3, "40000"),
                    order("o3", "u3", "10:03:30", "99999", "m-2", 1, "25000", "m-9", 1, "10000"),
                    order("o4", "u1", "10:04:00", "360000", "m-1", 8, "45000"),
                    "{\"order_id\":\"o5\",\"user_id\":\"u1\",\"items\":[],\"total\":0,\"created_at\":\"2025-01-01T10:05:00Z\"}");

    static String menu(
            String id, String action, String name, String category, String price, String time) {
        return "{\"menu_id\":\""
                + id
                + "\",\"action\":\""
                + action
                + "\",\"name\":\""
                + name
                + "\",\"category\":\""
                + category
                + "\",\"price\":"
                + price
                + ",\"timestamp\":\"2025-01-01T"
                + time
                + "Z\"}";
    }

    static String stock(String id, int delta, String reason, String time) {
        return "{\"menu_id\":\""
                + id
                + "\",\"delta\":"
                + delta
                + ",\"reason\":\""
                + reason
                + "\",\"timestamp\":\"2025-01-01T"
                + time
                + "Z\"}";
    }

    /** items: menu_id, qty, price, menu_id, qty, price, ... */
    static String order(String id, String user, String time, String total, Object... items) {
        StringBuilder json =
                new StringBuilder(
                        "{\"order_id\":\"" + id + "\",\"user_id\":\"" + user + "\",\"items\":[");
        for (int i = 0; i < items.length; i += 3) {
            json.append(i == 0 ? "" : ",")
                    .append("{\"menu_id\":\"")
                    .append(items[i])
                    .append("\",\"qty\":")
                    .append(items[i + 1])
                    .append(",\"price\":")
                    .append(items[i + 2])
                    .append('}');
        }
        return json.append("],\"total\":")
                .append(total)
                .append(",\"created_at\":\"2025-01-01T")
                .append(time)
                .append("Z\"}")
                .toString();
    }
}
