package dev.flinkpipelines.jobs.orders;

import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.events.OrderEventJson;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/**
 * A clean event as a record of the {@code events_clean} topic: {@link OrderEventJson} (so the
 * kpi job parses it with the same validator), keyed by order id
 * so one order's events stay in order within a partition, and with the event time as the Kafka
 * timestamp.
 */
final class CleanEventSerializer implements KafkaRecordSerializationSchema<OrderEvent> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    CleanEventSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(OrderEvent e, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, e.eventTimeMillis(),
                e.orderId().getBytes(StandardCharsets.UTF_8), OrderEventJson.toJson(e));
    }
}
