package dev.flinkpipelines.generator;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Realistic traffic for {@code events_raw}: orders that live through order_created ->
 * payment_initiated -> payment_success (70 %), payment_failed (10 %) or, left pending (20 %),
 * order_cancelled. Amounts are whole VND (80 % of orders) or USD cents. Plus the configured share
 * of invalid records, duplicates (the same event id sent again), out-of-order and late events.
 */
public final class OrderEventRecords extends KindedTraffic {

    private final List<Order> open = new ArrayList<>();
    private long nextOrder = 100_000;

    /** An order in flight and the step it reached. */
    private static final class Order {
        final String orderId;
        final String userId;
        final BigDecimal amount;
        final String currency;
        final String outcome;
        int step;

        Order(String orderId, String userId, BigDecimal amount, String currency, String outcome) {
            this.orderId = orderId;
            this.userId = userId;
            this.amount = amount;
            this.currency = currency;
            this.outcome = outcome;
        }
    }

    public OrderEventRecords(long seed, Fractions fractions) {
        super(seed, fractions);
    }

    @Override
    protected Generated valid(Kind kind, long nowMillis) {
        Order order =
                open.isEmpty() || random.nextInt(3) == 0
                        ? newOrder()
                        : open.get(random.nextInt(open.size()));
        String eventType;
        String status;
        switch (order.step++) {
            case 0:
                eventType = "order_created";
                status = "pending";
                break;
            case 1:
                eventType = "payment_initiated";
                status = "pending";
                break;
            default:
                open.remove(order);
                eventType =
                        order.outcome.equals("success")
                                ? "payment_success"
                                : order.outcome.equals("failed")
                                        ? "payment_failed"
                                        : "order_cancelled";
                status = order.outcome;
        }
        long eventTime = Fractions.eventTime(kind, nowMillis, random);
        return new Generated(
                kind,
                order.orderId.getBytes(StandardCharsets.UTF_8),
                bytes(
                        orderEventJson(
                                UUID.randomUUID().toString(),
                                Instant.ofEpochMilli(eventTime).toString(),
                                eventType,
                                order.orderId,
                                order.userId,
                                order.amount.toPlainString(),
                                order.currency,
                                status)));
    }

    private Order newOrder() {
        boolean vnd = random.nextInt(10) < 8;
        BigDecimal amount =
                vnd
                        ? BigDecimal.valueOf(20_000L + 1_000L * random.nextInt(2_000)).setScale(2)
                        : BigDecimal.valueOf(100 + random.nextInt(50_000), 2);
        int roll = random.nextInt(100);
        String outcome = roll < 70 ? "success" : roll < 90 ? "pending" : "failed";
        Order order =
                new Order(
                        "ORD" + nextOrder++,
                        "USR" + (1000 + random.nextInt(9000)),
                        amount,
                        vnd ? "VND" : "USD",
                        outcome);
        open.add(order);
        return order;
    }

    @Override
    protected byte[] invalid(long nowMillis) {
        String id = UUID.randomUUID().toString();
        String time = Instant.ofEpochMilli(nowMillis).toString();
        switch (random.nextInt(5)) {
            case 0: // rounding would lie
                return invalidRecord(id, time, "payment_success", "12.345", "VND", "success");
            case 1:
                return invalidRecord(id, time, "payment_success", "10.00", "EUR", "success");
            case 2:
                return invalidRecord(id, "yesterday", "order_created", "10.00", "USD", "pending");
            case 3:
                return invalidRecord(id, time, "payment_refunded", "-5.00", "USD", "success");
            default:
                return bytes("{\"id\":");
        }
    }

    /** An invalid record of order ORD1 of user USR1: only what makes it invalid varies. */
    private static byte[] invalidRecord(
            String id, String time, String type, String amount, String currency, String status) {
        return bytes(orderEventJson(id, time, type, "ORD1", "USR1", amount, currency, status));
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One events_raw payload as the contract writes it, field for field; {@code amount} is the JSON
     * number text. For the generator and for tests that need exact records.
     */
    public static String orderEventJson(
            String id,
            String time,
            String type,
            String order,
            String user,
            String amount,
            String currency,
            String status) {
        return "{\"id\":\""
                + id
                + "\",\"eventTime\":\""
                + time
                + "\",\"eventType\":\""
                + type
                + "\",\"orderId\":\""
                + order
                + "\",\"userId\":\""
                + user
                + "\",\"amount\":"
                + amount
                + ",\"currency\":\""
                + currency
                + "\",\"status\":\""
                + status
                + "\"}";
    }
}
