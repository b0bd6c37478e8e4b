package dev.flinkpipelines.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.kafka.KafkaClientConfig;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.Preflight;
import dev.flinkpipelines.testkit.SaslKafkaExtension;
import dev.flinkpipelines.testkit.SaslKafkaExtension.Mechanism;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator against a Kafka broker that requires SASL (issue 15, item 2): the same {@code
 * --kafka-properties-file} / {@code --kafka-property} flags as the jobs reach its preflight check
 * and its producer. What the generator counts as sent is what the broker holds.
 */
class GeneratorSaslIT {

    @RegisterExtension static final SaslKafkaExtension KAFKA = new SaslKafkaExtension();

    @TempDir Path dir;

    @Test
    void producesToASaslBrokerWithThePropertiesFile() throws Exception {
        String topic = KAFKA.createTopic("user-events", 1);
        Path properties =
                SaslKafkaExtension.writeProperties(
                        dir.resolve("kafka.properties"),
                        KAFKA.clientProperties(Mechanism.SCRAM_SHA_512));
        KafkaClientConfig kafka =
                kafkaConfig(
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--kafka-properties-file",
                        properties.toString());
        Preflight.kafka(kafka, List.of(topic));

        Generator generator =
                new Generator(
                        kafka,
                        Map.of(
                                topic,
                                new UserEventRecords(
                                        7, new TrafficSource.Fractions(0.1, 0.1, 0, 0))),
                        200);
        Thread producing = new Thread(generator, "generator");
        producing.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (generator.sentTotal() < 100 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        generator.stop();
        producing.join(30_000);
        assertFalse(producing.isAlive(), "the generator stops when asked");

        assertTrue(generator.sentTotal() >= 100, "sent " + generator.sentTotal());
        assertEquals(
                generator.sentTotal(),
                KAFKA.readAll(topic, "read_committed").size(),
                "every record the generator counted is in the topic, once");
    }

    /**
     * The secret through Kafka's FileConfigProvider, the other settings as repeated
     * --kafka-property flags.
     */
    @Test
    void preflightPassesWithTheSecretInAFileAndFailsWithAWrongPassword() throws Exception {
        String topic = KAFKA.createTopic("user-events", 1);
        Map<String, String> withProvider =
                KAFKA.clientPropertiesWithSecretIn(
                        Mechanism.PLAIN, dir.resolve("secret.properties"));
        Path properties =
                SaslKafkaExtension.writeProperties(dir.resolve("kafka.properties"), withProvider);
        Preflight.kafka(
                kafkaConfig(
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--kafka-properties-file",
                        properties.toString()),
                List.of(topic));

        String wrong = "wr0ng-" + KAFKA.password();
        Map<String, String> wrongLogin = KAFKA.clientProperties(Mechanism.PLAIN, wrong);
        Preflight.PreflightException refused =
                assertThrows(
                        Preflight.PreflightException.class,
                        () ->
                                Preflight.kafka(
                                        kafkaConfig(
                                                "--bootstrap-servers",
                                                KAFKA.bootstrapServers(),
                                                "--kafka-property",
                                                "security.protocol="
                                                        + wrongLogin.get("security.protocol"),
                                                "--kafka-property",
                                                "sasl.mechanism="
                                                        + wrongLogin.get("sasl.mechanism"),
                                                "--kafka-property",
                                                "sasl.jaas.config="
                                                        + wrongLogin.get("sasl.jaas.config")),
                                        List.of(topic)));
        assertTrue(
                refused.getMessage().contains("Kafka")
                        && refused.getMessage().toLowerCase().contains("authenticat"),
                refused.getMessage());
        assertFalse(
                refused.getMessage().contains(wrong),
                "the password must not be echoed: " + refused.getMessage());
    }

    private static KafkaClientConfig kafkaConfig(String... argv) throws Exception {
        ParsedArgs args = Generator.commandLine().parse(argv);
        return KafkaClientConfig.from(args);
    }
}
