package dev.flinkpipelines.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.kafka.ParsingDeserializationSchema;
import dev.flinkpipelines.common.parse.OrderEventParser;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class OrderEventRecordsTest {

    private final ParsingDeserializationSchema<OrderEvent> parser =
            new ParsingDeserializationSchema<>(
                    new OrderEventParser(), TypeInformation.of(OrderEvent.class));

    @Test
    void ordersLiveThroughTheirLifecycleWithTheSpecOutcomeWeights() {
        OrderEventRecords records =
                new OrderEventRecords(3, new TrafficSource.Fractions(0.05, 0.05, 0.05, 0.05));
        Map<OrderEvent.Type, Integer> types = new EnumMap<>(OrderEvent.Type.class);
        Map<TrafficSource.Kind, Integer> kinds = new EnumMap<>(TrafficSource.Kind.class);
        Map<String, Integer> eventsPerOrder = new HashMap<>();
        int n = 30_000;
        for (int i = 0; i < n; i++) {
            TrafficSource.Generated g = records.next(1_764_000_000_000L);
            kinds.merge(g.kind(), 1, Integer::sum);
            var parsed = parser.parse(new ConsumerRecord<>("events_raw", 0, i, g.key(), g.value()));
            assertEquals(
                    g.kind() != TrafficSource.Kind.INVALID,
                    parsed.isRight(),
                    () -> g.kind() + ": " + new String(g.value()));
            if (parsed.isRight() && g.kind() != TrafficSource.Kind.DUPLICATE) {
                OrderEvent e = parsed.right();
                types.merge(e.eventType(), 1, Integer::sum);
                eventsPerOrder.merge(e.orderId(), 1, Integer::sum);
                assertEquals(e.orderId(), new String(g.key()), "records are keyed by order id");
            }
        }
        int finished =
                types.getOrDefault(OrderEvent.Type.PAYMENT_SUCCESS, 0)
                        + types.getOrDefault(OrderEvent.Type.PAYMENT_FAILED, 0)
                        + types.getOrDefault(OrderEvent.Type.ORDER_CANCELLED, 0);
        double success = types.get(OrderEvent.Type.PAYMENT_SUCCESS) / (double) finished;
        double failed = types.get(OrderEvent.Type.PAYMENT_FAILED) / (double) finished;
        assertTrue(
                Math.abs(success - 0.70) < 0.03 && Math.abs(failed - 0.10) < 0.03,
                "outcomes " + types);
        assertTrue(
                eventsPerOrder.values().stream().allMatch(c -> c <= 3),
                "an order has at most 3 events");
        assertTrue(kinds.get(TrafficSource.Kind.DUPLICATE) > 0.04 * n, "duplicates " + kinds);
    }
}
