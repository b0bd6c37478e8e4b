package dev.flinkpipelines.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.testkit.SaslKafkaExtension.Mechanism;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SASL broker really authenticates: the pipeline user reads with each mechanism and the right
 * password; a wrong password, and a client that does not speak SASL, are refused.
 */
class SaslKafkaExtensionTest {

    @RegisterExtension static final SaslKafkaExtension KAFKA = new SaslKafkaExtension();

    @TempDir Path dir;

    @Test
    void thePipelineUserReadsWithEveryMechanism() {
        String topic = KAFKA.createTopic("sasl", 1);
        KAFKA.produceLines(topic, 0, List.of("a", "b"));
        for (Mechanism mechanism : Mechanism.values()) {
            assertEquals(
                    List.of("a", "b"),
                    read(topic, KAFKA.clientProperties(mechanism)),
                    mechanism.name());
        }
    }

    @Test
    void aWrongPasswordIsRefusedByTheBroker() {
        for (Mechanism mechanism : Mechanism.values()) {
            ExecutionException e =
                    assertThrows(
                            ExecutionException.class,
                            () ->
                                    describeCluster(
                                            KAFKA.clientProperties(
                                                    mechanism, "wrong-" + KAFKA.password())));
            assertInstanceOf(SaslAuthenticationException.class, e.getCause(), mechanism.name());
        }
    }

    /**
     * A client without any security settings talks PLAINTEXT; the SASL listener drops it, and it
     * never gets an answer.
     */
    @Test
    void aClientWithoutCredentialsGetsNoAnswer() {
        Exception e = assertThrows(Exception.class, () -> describeCluster(Map.of()));
        // the admin client's own timeout (8 s) or the wait for it (10 s), whichever comes first
        Throwable timeout = e instanceof ExecutionException ? e.getCause() : e;
        assertTrue(
                timeout instanceof TimeoutException
                        || timeout instanceof org.apache.kafka.common.errors.TimeoutException,
                e.toString());
    }

    /**
     * The secret stays in a file that Kafka's FileConfigProvider reads where the client is created:
     * kafka-clients 4.2 allows every config provider unless the system property {@code
     * org.apache.kafka.automatic.config.providers} restricts them — this proves it works without
     * setting it (and that the property, if someone sets it, is what restricts it).
     */
    @Test
    void theSecretCanComeFromAFileThroughTheFileConfigProvider() throws Exception {
        assertNull(
                System.getProperty(AbstractConfig.AUTOMATIC_CONFIG_PROVIDERS_PROPERTY),
                "this test is about the default: the property must not be set");
        String topic = KAFKA.createTopic("sasl-file", 1);
        KAFKA.produceLines(topic, 0, List.of("from a file"));
        Path secrets = dir.resolve("kafka-secrets.properties");
        Map<String, String> properties =
                KAFKA.clientPropertiesWithSecretIn(Mechanism.SCRAM_SHA_256, secrets);

        assertFalse(
                properties.toString().contains(KAFKA.password()),
                "the properties themselves hold no secret");
        assertTrue(
                Files.readString(secrets, StandardCharsets.ISO_8859_1).contains(KAFKA.password()));
        assertEquals(List.of("from a file"), read(topic, properties));

        System.setProperty(AbstractConfig.AUTOMATIC_CONFIG_PROVIDERS_PROPERTY, "none");
        try {
            // restricted: the placeholder is not resolved, and the client cannot log in
            assertThrows(Exception.class, () -> describeCluster(properties));
        } finally {
            System.clearProperty(AbstractConfig.AUTOMATIC_CONFIG_PROVIDERS_PROPERTY);
        }
    }

    private static void describeCluster(Map<String, String> security) throws Exception {
        Map<String, Object> p = new LinkedHashMap<>(security);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> read(String topic, Map<String, String> security) {
        Map<String, Object> p = new LinkedHashMap<>(security);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
