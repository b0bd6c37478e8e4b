package dev.flinkpipelines.common.events;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An order event in the payload shape of docs/CONTRACTS.md, amount as an exact decimal: what the orders job
 * publishes to {@code events_clean} and what {@link dev.flinkpipelines.common.parse.OrderEventParser}
 * reads back.
 */
public final class OrderEventJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OrderEventJson() {}

    public static byte[] toJson(OrderEvent e) {
        return JSON.createObjectNode()
                .put("id", e.id())
                .put("eventTime", e.eventTime().toString())
                .put("eventType", e.eventType().name().toLowerCase(Locale.ROOT))
                .put("orderId", e.orderId())
                .put("userId", e.userId())
                .put("amount", e.amount())
                .put("currency", e.currency().name())
                .put("status", e.status().name().toLowerCase(Locale.ROOT))
                .toString()
                .getBytes(StandardCharsets.UTF_8);
    }
}
