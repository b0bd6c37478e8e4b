package dev.flinkpipelines.testkit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
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
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A real Kafka broker (KRaft, combined broker + controller, from Kafka's own test kit) shared by
 * every test class of the JVM; each test gets fresh topics from {@link #createTopic}.
 */
public final class KafkaExtension implements BeforeAllCallback {

    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static KafkaClusterTestKit cluster;

    private static synchronized KafkaClusterTestKit cluster() {
        if (cluster == null) {
            try {
                KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                                .setCombined(true)
                                .setNumBrokerNodes(1)
                                .setNumControllerNodes(1)
                                .build())
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        // the broker's ceiling for transactional producers (exactly-once sinks)
                        .setConfigProp("transaction.max.timeout.ms", "900000")
                        .build();
                kit.format();
                kit.startup();
                kit.waitForReadyBrokers();
                cluster = kit;
                // a fallback only: the root test context closes the broker first (see beforeAll)
                Runtime.getRuntime().addShutdownHook(new Thread(KafkaExtension::closeCluster));
            } catch (Exception e) {
                throw new IllegalStateException("could not start the test Kafka broker", e);
            }
        }
        return cluster;
    }

    /**
     * Starts the JVM's broker once and has JUnit close it when every test of the JVM has run, before
     * the JVM shuts down. Left to a shutdown hook, the close raced Kafka's own hooks that delete the
     * broker's temporary log directories: the broker saw its log directory vanish and halted the JVM
     * with exit code 1 after every test had passed ("Error occurred in starting fork").
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        cluster();
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(KafkaExtension.class, k -> new ClusterCloser(), ClusterCloser.class);
    }

    /** Closed by JUnit with the root context, after the last test of the JVM. */
    private static final class ClusterCloser implements AutoCloseable {
        @Override
        public void close() {
            closeCluster();
        }
    }

    private static synchronized void closeCluster() {
        if (cluster == null) {
            return;
        }
        // a broker that loses its log directory while stopping halts the JVM; at this point nothing
        // is left to protect, and the tests' exit code must stand
        Exit.setHaltProcedure((code, message) -> { });
        try {
            cluster.close();
        } catch (Exception ignored) {
            // shutting down
        }
        cluster = null;
    }

    public String bootstrapServers() {
        return cluster().bootstrapServers();
    }

    /** Creates a topic with a unique name starting with {@code prefix}; returns the name. */
    public String createTopic(String prefix, int partitions) {
        String name = prefix + "-" + TOPICS.incrementAndGet();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + name, e);
        }
        return name;
    }

    /** Produces UTF-8 lines to one partition, in order; waits until all are acknowledged. */
    public void produceLines(String topic, int partition, List<String> lines) {
        produce(topic, partition, lines.stream().map(l -> l.getBytes(StandardCharsets.UTF_8)).collect(Collectors.toList()));
    }

    /** Produces raw values (any bytes, null for a tombstone) to one partition, in order. */
    public void produce(String topic, int partition, List<byte[]> values) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] value : values) {
                producer.send(new ProducerRecord<>(topic, partition, null, value));
            }
            producer.flush();
        }
    }

    /** Every record of a topic visible to a consumer with the given isolation level. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, String isolationLevel) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return readAll(p, topic, isolationLevel);
    }

    /**
     * Every record of {@code topic} a consumer with {@code clientProperties} and {@code isolationLevel}
     * sees, read up to the end the topic has now. The end is the high watermark, also for
     * read_committed: a read_committed consumer's own end offset is the last stable offset, which
     * stays behind a just-committed transaction until the broker has written its commit markers, and
     * would make a read right after a job finished return nothing. A transaction left open keeps the
     * read from reaching the end: it returns what it got after 30 s, and the caller's exact
     * comparison fails.
     */
    static List<ConsumerRecord<byte[], byte[]>> readAll(Properties clientProperties, String topic, String isolationLevel) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<TopicPartition, Long> end;
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            end = consumer.endOffsets(consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .collect(Collectors.toList()));
        }
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(end.keySet());
            consumer.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (end.keySet().stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
