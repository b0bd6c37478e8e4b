package dev.flinkpipelines.testkit;

import dev.flinkpipelines.devservices.KafkaTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What {@link KafkaExtension} and {@link SaslKafkaExtension} do the same way with their brokers:
 * closing them after the JVM's last test, and the test's own clients (topics, producing, reading),
 * given the client properties that reach the broker (bootstrap servers, and a login where needed).
 */
final class TestBrokerClients {

    private TestBrokerClients() {}

    /**
     * Has JUnit run {@code close} once, when it closes the root context after every test of the
     * JVM, before the JVM shuts down. Left to a shutdown hook alone, the close raced Kafka's own
     * hooks that delete the broker's temporary log directories: the broker saw its log directory
     * vanish and halted the JVM with exit code 1 after every test had passed ("Error occurred in
     * starting fork").
     */
    static void closeAfterLastTest(ExtensionContext context, Class<?> broker, Runnable close) {
        context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(broker, k -> new Closer(close), Closer.class);
    }

    private static final class Closer implements AutoCloseable {
        private final Runnable close;

        Closer(Runnable close) {
            this.close = close;
        }

        @Override
        public void close() {
            close.run();
        }
    }

    /** Stops a test kit cluster, never halting the JVM on the way. */
    static void shutDown(KafkaClusterTestKit cluster) {
        // a broker that loses its log directory while stopping halts the JVM; at this point nothing
        // is left to protect, and the tests' exit code must stand
        Exit.setHaltProcedure((code, message) -> {});
        try {
            cluster.close();
        } catch (Exception ignored) {
            // shutting down
        }
    }

    static void createTopic(Properties clientProperties, String name, int partitions) {
        try {
            KafkaTopics.create(clientProperties, name, partitions);
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + name, e);
        }
    }

    /**
     * Produces {@code values} (any bytes, null for a tombstone) to one partition, in order; waits
     * for all acks.
     */
    static void produce(
            Properties clientProperties, String topic, int partition, List<byte[]> values) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] value : values) {
                producer.send(new ProducerRecord<>(topic, partition, null, value));
            }
            producer.flush();
        }
    }

    /**
     * Every record of {@code topic} a consumer with {@code clientProperties} and {@code
     * isolationLevel} sees, read up to the end the topic has now. The end is the high watermark,
     * also for read_committed: a read_committed consumer's own end offset is the last stable
     * offset, which stays behind a just-committed transaction until the broker has written its
     * commit markers, and would make a read right after a job finished return nothing. A
     * transaction left open keeps the read from reaching the end: it returns what it got after 30
     * s, and the caller's exact comparison fails.
     */
    static List<ConsumerRecord<byte[], byte[]>> readAll(
            Properties clientProperties, String topic, String isolationLevel) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<TopicPartition, Long> end;
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            end =
                    consumer.endOffsets(
                            consumer.partitionsFor(topic).stream()
                                    .map(info -> new TopicPartition(topic, info.partition()))
                                    .collect(Collectors.toList()));
        }
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(end.keySet());
            consumer.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (end.keySet().stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
