package dev.flinkpipelines.devservices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh broker starts over an earlier run's files with the local settings, and topics are created
 * once.
 */
class LocalKafkaIT {

    @TempDir Path dir;

    @Test
    void aFreshBrokerHasTheLocalSettingsAndCreatesTopicsOnce() throws Exception {
        Path kafkaDir = Files.createDirectories(dir.resolve("kafka"));
        Files.writeString(kafkaDir.resolve("left-by-an-earlier-run"), "x");
        PrintStream console = System.out;
        try (KafkaClusterTestKit kafka = LocalKafka.startFresh(kafkaDir)) {
            assertSame(console, System.out, "the console is given back after formatting");
            Properties client = new Properties();
            client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                String broker =
                        String.valueOf(
                                admin.describeCluster().nodes().get().iterator().next().id());
                ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, broker);
                Config config =
                        admin.describeConfigs(List.of(resource))
                                .all()
                                .get(30, TimeUnit.SECONDS)
                                .get(resource);
                for (Map.Entry<String, String> setting :
                        Map.of(
                                        "offsets.topic.replication.factor", "1",
                                        "transaction.state.log.replication.factor", "1",
                                        "transaction.state.log.min.isr", "1",
                                        "group.initial.rebalance.delay.ms", "0",
                                        "transaction.max.timeout.ms", "900000")
                                .entrySet()) {
                    assertEquals(
                            setting.getValue(),
                            config.get(setting.getKey()).value(),
                            setting.getKey());
                }

                KafkaTopics.create(client, "events", 3);
                KafkaTopics.createIfMissing(client, "events", 1);
                ExecutionException again =
                        assertThrows(
                                ExecutionException.class,
                                () -> KafkaTopics.create(client, "events", 3));
                assertInstanceOf(TopicExistsException.class, again.getCause());
                assertEquals(
                        3,
                        admin.describeTopics(List.of("events"))
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS)
                                .get("events")
                                .partitions()
                                .size(),
                        "the existing topic is left as it was");
            }
        }
    }
}
