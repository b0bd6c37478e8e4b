package dev.flinkpipelines.testkit;

import dev.flinkpipelines.devservices.LocalKafka;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker ({@link LocalKafka}: KRaft, combined broker + controller, from Kafka's own
 * test kit) shared by every test class of the JVM; each test gets fresh topics from {@link
 * #createTopic}.
 */
public final class KafkaExtension implements BeforeAllCallback {

    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static KafkaClusterTestKit cluster;

    private static synchronized KafkaClusterTestKit cluster() {
        if (cluster == null) {
            try {
                cluster = LocalKafka.startInTemporaryDirectories();
                // a fallback only: the root test context closes the broker first (see beforeAll)
                Runtime.getRuntime().addShutdownHook(new Thread(KafkaExtension::closeCluster));
            } catch (Exception e) {
                throw new IllegalStateException("could not start the test Kafka broker", e);
            }
        }
        return cluster;
    }

    /**
     * Starts the JVM's broker once; JUnit closes it after the JVM's last test (see {@link
     * TestBrokerClients}).
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        cluster();
        TestBrokerClients.closeAfterLastTest(
                context, KafkaExtension.class, KafkaExtension::closeCluster);
    }

    private static synchronized void closeCluster() {
        if (cluster != null) {
            TestBrokerClients.shutDown(cluster);
            cluster = null;
        }
    }

    public String bootstrapServers() {
        return cluster().bootstrapServers();
    }

    /** Creates a topic with a unique name starting with {@code prefix}; returns the name. */
    public String createTopic(String prefix, int partitions) {
        String name = prefix + "-" + TOPICS.incrementAndGet();
        TestBrokerClients.createTopic(clientProperties(), name, partitions);
        return name;
    }

    /** Produces UTF-8 lines to one partition, in order; waits until all are acknowledged. */
    public void produceLines(String topic, int partition, List<String> lines) {
        produce(
                topic,
                partition,
                lines.stream()
                        .map(l -> l.getBytes(StandardCharsets.UTF_8))
                        .collect(Collectors.toList()));
    }

    /** Produces raw values (any bytes, null for a tombstone) to one partition, in order. */
    public void produce(String topic, int partition, List<byte[]> values) {
        TestBrokerClients.produce(clientProperties(), topic, partition, values);
    }

    /** Every record of a topic visible to a consumer with the given isolation level. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, String isolationLevel) {
        return TestBrokerClients.readAll(clientProperties(), topic, isolationLevel);
    }

    private Properties clientProperties() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return p;
    }
}
