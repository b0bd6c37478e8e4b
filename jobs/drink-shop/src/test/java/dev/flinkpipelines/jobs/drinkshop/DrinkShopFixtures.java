package dev.flinkpipelines.jobs.drinkshop;

/** The drink-shop topics' JSON records, as the tests write them. */
final class DrinkShopFixtures {

    private DrinkShopFixtures() {}

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
