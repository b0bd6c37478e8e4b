package dev.flinkpipelines.jobs.orders;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flinkpipelines.common.events.OrderEvent;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A clean event as a record of the {@code events_clean} topic: the SPEC §2 payload shape (so the
 * kpi job parses it with the same validator), the amount as an exact decimal, keyed by order id
 * so one order's events stay in order within a partition, and with the event time as the Kafka
 * timestamp.
 */
final class CleanEventSerializer implements KafkaRecordSerializationSchema<OrderEvent> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;

    CleanEventSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(OrderEvent e, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, e.eventTimeMillis(),
                e.orderId().getBytes(StandardCharsets.UTF_8), toJson(e));
    }

    static byte[] toJson(OrderEvent e) {
        ObjectNode node = JSON.createObjectNode()
                .put("id", e.id())
                .put("eventTime", e.eventTime().toString())
                .put("eventType", e.eventType().name().toLowerCase(Locale.ROOT))
                .put("orderId", e.orderId())
                .put("userId", e.userId())
                .put("amount", e.amount())
                .put("currency", e.currency().name())
                .put("status", e.status().name().toLowerCase(Locale.ROOT));
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }
}
