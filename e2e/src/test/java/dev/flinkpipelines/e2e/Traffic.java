package dev.flinkpipelines.e2e;

import static dev.flinkpipelines.generator.OrderEventRecords.orderEventJson;
import static dev.flinkpipelines.generator.UserEventRecords.userEventJson;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Deterministic input for every job, in phases, with the exact rows each phase must leave behind.
 *
 * <p>Phase {@code k} covers event times {@code [T0 + 20(k-1) min, +2 min)} and ends with a "tick"
 * 10 minutes later on the orders and drink-shop inputs: it moves those single-partition streams'
 * watermarks past everything before it, so the kpi windows and the drink-shop join (which wait for
 * the watermark) have emitted every earlier result — and the tick's own result waits for the next
 * phase. Each phase holds invalid records, duplicates (of this phase and of the previous one, so
 * dedup state must survive a savepoint and a crash) and out-of-order records where the job allows
 * them. Expectations are kept as sorted strings so a failure shows the exact difference.
 */
final class Traffic {

    /** Orders whose id ends with this are ticks. */
    static final String TICK_SUFFIX = "-tick";

    static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");
    private static final String[] ORDER_TYPES = {
        "order_created", "payment_initiated", "payment_success", "payment_failed", "order_cancelled"
    };
    private static final String[] MENU = {"m-1", "m-2", "m-3"};

    /** Records to produce in one phase: topic role -> partition -> lines, in order. */
    static final class Batch {
        final Map<String, Map<Integer, List<String>>> lines = new LinkedHashMap<>();

        void add(String role, int partition, String line) {
            lines.computeIfAbsent(role, r -> new TreeMap<>())
                    .computeIfAbsent(partition, p -> new ArrayList<>())
                    .add(line);
        }
    }

    // ---- expectations, cumulative over the phases produced so far ----
    final List<String> userEvents = new ArrayList<>();
    final List<String> cleanEventIds = new ArrayList<>();

    /**
     * Every drink-shop line except the ticks': when a tick is joined depends on when its stream
     * goes idle (then the menu stream's watermark, already past the tick, takes over), so ticks are
     * not compared.
     */
    final List<String> enrichedLines = new ArrayList<>();

    final List<String> ledger = new ArrayList<>();
    final Map<String, Integer> deadLetters = new TreeMap<>();

    /** Valid unique order events: id -> (time, type, currency, amount); for the kpi totals. */
    private final List<OrderEvent> orderEvents = new ArrayList<>();

    private final List<String> previousOrderEvents = new ArrayList<>();
    private final List<String> previousViews = new ArrayList<>();
    private final Map<String, BigDecimal> menuPrices = new TreeMap<>();
    private Instant lastTick = T0;

    private record OrderEvent(Instant time, String type, String currency, BigDecimal amount) {}

    static Instant phaseStart(int phase) {
        return T0.plus(Duration.ofMinutes(20L * (phase - 1)));
    }

    /** The tick of the last phase produced: windows and joins before it are complete. */
    Instant lastTick() {
        return lastTick;
    }

    /** The menu, produced once before the first orders: three items created a day before T0. */
    Batch menu() {
        Batch batch = new Batch();
        String created = T0.minus(Duration.ofDays(1)).toString();
        batch.add("menu", 0, menuJson("m-1", "create", "Trà sữa", "milk tea", "50000", created));
        batch.add(
                "menu", 0, menuJson("m-2", "create", "Cà phê sữa đá", "coffee", "30000", created));
        batch.add("menu", 0, menuJson("m-3", "create", "Nước cam", "juice", "40000", created));
        menuPrices.put("m-1", new BigDecimal("50000"));
        menuPrices.put("m-2", new BigDecimal("30000"));
        menuPrices.put("m-3", new BigDecimal("40000"));
        return batch;
    }

    Batch phase(int k) {
        Batch batch = new Batch();
        Instant start = phaseStart(k);
        userEvents(k, start, batch);
        orderEvents(k, start, batch);
        drinkOrders(k, start, batch);
        videoViews(k, start, batch);
        lastTick = start.plus(Duration.ofMinutes(10));
        return batch;
    }

    private void userEvents(int k, Instant start, Batch batch) {
        String[] types = {"view", "click", "rate", "Play"};
        for (int i = 0; i < 60; i++) {
            int user = k * 1000 + i;
            int movie = 1 + i % 7;
            String type = types[i % types.length];
            // every fifth record is 3 s older than its predecessor: out of order, within the 5 s
            // bound
            long ts = start.plusSeconds(i).toEpochMilli() - (i % 5 == 4 ? 3_000 : 0);
            batch.add("user-events", i % 2, userEventJson(user, movie, type, ts));
            userEvents.add(
                    user + "|" + movie + "|" + type.toLowerCase() + "|" + Instant.ofEpochMilli(ts));
        }
        batch.add(
                "user-events",
                0,
                "{\"user_id\":-" + k + ",\"movie_id\":1,\"event_type\":\"view\",\"timestamp\":1}");
        batch.add("user-events", 1, "not json " + k);
        deadLetters.merge("user-events", 2, Integer::sum);
    }

    private void orderEvents(int k, Instant start, Batch batch) {
        List<String> thisPhase = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = uuid("order", k, i);
            Instant time = start.plusSeconds(2L * i);
            String type = ORDER_TYPES[i % ORDER_TYPES.length];
            String currency = i % 3 == 0 ? "USD" : "VND";
            BigDecimal amount =
                    new BigDecimal(
                            currency.equals("USD")
                                    ? (i + 1) + ".25"
                                    : String.valueOf((i + 1) * 1000));
            String json =
                    orderEventJson(
                            id,
                            time.toString(),
                            type,
                            "ORD" + k + (i / 5),
                            "USR" + (i % 6),
                            amount.toPlainString(),
                            currency,
                            type.equals("payment_failed") ? "failed" : "success");
            batch.add("events_raw", 0, json);
            thisPhase.add(json);
            cleanEventIds.add(id);
            orderEvents.add(new OrderEvent(time, type, currency, amount));
        }
        // duplicates: two of this phase, two of the previous one (dedup state from before a
        // restart)
        batch.add("events_raw", 0, thisPhase.get(3));
        batch.add("events_raw", 0, thisPhase.get(17));
        for (String earlier :
                previousOrderEvents.subList(0, Math.min(2, previousOrderEvents.size()))) {
            batch.add("events_raw", 0, earlier);
        }
        batch.add(
                "events_raw",
                0,
                orderEventJson(
                        uuid("order-bad", k, 0),
                        start.plusSeconds(30).toString(),
                        "order_shipped",
                        "ORDX",
                        "USR1",
                        "1.00",
                        "VND",
                        "success"));
        batch.add("events_raw", 0, "{\"id\":\"" + uuid("order-bad", k, 1) + "\"");
        deadLetters.merge("orders", 2, Integer::sum);
        // the tick: a valid order_created 10 minutes on
        Instant tick = start.plus(Duration.ofMinutes(10));
        String tickId = uuid("order-tick", k, 0);
        batch.add(
                "events_raw",
                0,
                orderEventJson(
                        tickId,
                        tick.toString(),
                        "order_created",
                        "ORDT" + k,
                        "USR0",
                        "0",
                        "VND",
                        "pending"));
        cleanEventIds.add(tickId);
        orderEvents.add(new OrderEvent(tick, "order_created", "VND", BigDecimal.ZERO));
        previousOrderEvents.clear();
        previousOrderEvents.addAll(thisPhase);
    }

    private void drinkOrders(int k, Instant start, Batch batch) {
        if (k == 2) {
            // m-1's price changes between phases 1 and 2: phase-1 lines keep the old price. The
            // change is produced when it happens, before the orders after it: a menu record dated
            // ahead of the orders would move the join's watermark past them while the orders
            // input is idle, and they would be late.
            batch.add(
                    "menu",
                    0,
                    menuJson(
                            "m-1",
                            "update",
                            "Trà sữa",
                            "milk tea",
                            "55000",
                            start.minus(Duration.ofMinutes(5)).toString()));
            menuPrices.put("m-1", new BigDecimal("55000"));
        }
        for (int i = 0; i < 20; i++) {
            Instant created = start.plusSeconds(3L * i);
            String orderId = "D" + k + "-" + i;
            String menuId = MENU[i % MENU.length];
            BigDecimal menuPrice = menuPrices.get(menuId);
            int qty = 1 + i % 2;
            List<String> items = new ArrayList<>();
            items.add(itemJson(menuId, qty, menuPrice));
            enrichedLines.add(
                    orderId + "|1|" + menuId + "|" + qty + "|ok|" + menuPrice.toPlainString());
            BigDecimal total = menuPrice.multiply(BigDecimal.valueOf(qty));
            if (i % 4 == 0) {
                // an item the menu never had: written with its flag, not dropped
                items.add(itemJson("m-9", 1, new BigDecimal("10000")));
                enrichedLines.add(orderId + "|2|m-9|1|unknown|null");
                total = total.add(new BigDecimal("10000"));
            }
            batch.add("orders", 0, drinkOrderJson(orderId, "u" + (i % 4), items, total, created));
        }
        Instant tick = start.plus(Duration.ofMinutes(10));
        String tickOrder = "D" + k + TICK_SUFFIX;
        batch.add(
                "orders",
                0,
                drinkOrderJson(
                        tickOrder,
                        "u0",
                        List.of(itemJson("m-2", 1, new BigDecimal("30000"))),
                        new BigDecimal("30000"),
                        tick));
    }

    private void videoViews(int k, Instant start, Batch batch) {
        List<String> counted = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = uuid("view", k, i);
            int duration = i % 4 == 0 ? 10 : 45;
            String json =
                    viewJson(
                            id,
                            "v" + (i % 5),
                            "u" + (i % 7),
                            "s" + k + "-" + i,
                            start.plusSeconds(2L * i),
                            duration);
            batch.add("video-views", i % 2, json);
            ledger.add(id + "|" + (duration >= 30 ? "counted" : "too_short"));
            if (duration >= 30) {
                counted.add(json);
            }
        }
        for (String copy : List.of(counted.get(2), counted.get(9))) {
            batch.add("video-views", 1, copy);
            ledger.add(idOf(copy) + "|duplicate");
        }
        for (String earlier : previousViews.subList(0, Math.min(2, previousViews.size()))) {
            batch.add("video-views", 0, earlier);
            ledger.add(idOf(earlier) + "|duplicate");
        }
        batch.add(
                "video-views",
                0,
                viewJson(uuid("view-bad", k, 0), "v1", "u1", "s-bad", start, 999_999));
        deadLetters.merge("video-views", 1, Integer::sum);
        previousViews.clear();
        previousViews.addAll(counted);
    }

    /**
     * Sums the kpi job must have written for every window before the last tick, per currency:
     * {@code
     * currency|orders_created|payments_initiated|payment_success|payment_failed|orders_cancelled|revenue}.
     */
    List<String> expectedKpiTotals() {
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, BigDecimal> revenue = new TreeMap<>();
        for (OrderEvent e : orderEvents) {
            if (!e.time().isBefore(lastTick)) {
                continue;
            }
            long[] c = counts.computeIfAbsent(e.currency(), x -> new long[5]);
            c[List.of(ORDER_TYPES).indexOf(e.type())]++;
            revenue.merge(
                    e.currency(),
                    e.type().equals("payment_success") ? e.amount() : BigDecimal.ZERO,
                    BigDecimal::add);
        }
        List<String> totals = new ArrayList<>();
        counts.forEach(
                (currency, c) ->
                        totals.add(
                                currency
                                        + "|"
                                        + c[0]
                                        + "|"
                                        + c[1]
                                        + "|"
                                        + c[2]
                                        + "|"
                                        + c[3]
                                        + "|"
                                        + c[4]
                                        + "|"
                                        + revenue.get(currency).setScale(2).toPlainString()));
        return totals;
    }

    // ---- JSON ----

    private static String uuid(String kind, int phase, int i) {
        return UUID.nameUUIDFromBytes(
                        (kind + "/" + phase + "/" + i).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    private static String idOf(String viewJson) {
        int at = viewJson.indexOf("\"event_id\":\"") + 12;
        return viewJson.substring(at, viewJson.indexOf('"', at));
    }

    private static String menuJson(
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
                + ",\"timestamp\":\""
                + time
                + "\"}";
    }

    private static String itemJson(String menuId, int qty, BigDecimal price) {
        return "{\"menu_id\":\""
                + menuId
                + "\",\"qty\":"
                + qty
                + ",\"price\":"
                + price.toPlainString()
                + "}";
    }

    private static String drinkOrderJson(
            String orderId, String userId, List<String> items, BigDecimal total, Instant created) {
        return "{\"order_id\":\""
                + orderId
                + "\",\"user_id\":\""
                + userId
                + "\",\"items\":["
                + String.join(",", items)
                + "],\"total\":"
                + total.toPlainString()
                + ",\"created_at\":\""
                + created
                + "\"}";
    }

    private static String viewJson(
            String id, String video, String user, String session, Instant time, int duration) {
        return "{\"event_id\":\""
                + id
                + "\",\"video_id\":\""
                + video
                + "\",\"user_id\":\""
                + user
                + "\",\"session_id\":\""
                + session
                + "\",\"timestamp\":\""
                + time
                + "\",\"view_duration\":"
                + duration
                + ",\"device_type\":\"web\",\"geo_location\":\"VN\""
                + ",\"referrer\":\"e2e\",\"quality\":\"1080p\",\"revenue_eligible\":true}";
    }
}
