package dev.flinkpipelines.jobs.orders;

import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.events.OrderEventJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A clean event as a record of the {@code events_clean} topic: {@link OrderEventJson} (so the kpi
 * job parses it with the same validator), keyed by order id so one order's events stay in order
 * within a partition, and with the event time as the Kafka timestamp. It names the one topic it
 * writes: the sink's POOLING transaction naming needs it to list the transactions still open on
 * that topic when a writer starts (see {@link OrdersJob}).
 */
final class CleanEventSerializer
        implements KafkaRecordSerializationSchema<OrderEvent>, KafkaDatasetFacetProvider {

    private static final long serialVersionUID = 1L;

    private final String topic;

    CleanEventSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(
                new DefaultKafkaDatasetFacet(
                        DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            OrderEvent e, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                e.eventTimeMillis(),
                e.orderId().getBytes(StandardCharsets.UTF_8),
                OrderEventJson.toJson(e));
    }
}
