package dev.flinkpipelines.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The bench's own PostgreSQL 17 (embedded binaries, durable defaults: fsync and synchronous_commit
 * on) and Kafka KRaft broker, both on this machine, started fresh in the data directory.
 */
final class Services implements AutoCloseable {

    /** Server settings, the same for the COPY ceiling and every run. */
    static final Map<String, String> POSTGRES_SETTINGS = Map.of(
            "max_prepared_transactions", "100",
            "max_connections", "200",
            "shared_buffers", "512MB",
            "max_wal_size", "4GB");

    final EmbeddedPostgres postgres;
    final KafkaClusterTestKit kafka;
    final String jdbcUrl;
    final String bootstrapServers;

    Services(Path dataDir) throws Exception {
        EmbeddedPostgres.Builder pg = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir.resolve("postgres"))
                .setCleanDataDirectory(true);
        POSTGRES_SETTINGS.forEach(pg::setServerConfig);
        postgres = pg.start();
        jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";

        Path kafkaDir = dataDir.resolve("kafka");
        deleteRecursively(kafkaDir);
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .setBaseDirectory(kafkaDir)
                        .build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        java.io.PrintStream console = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            kafka.format();
        } finally {
            System.setOut(console);
        }
        kafka.startup();
        kafka.waitForReadyBrokers();
        bootstrapServers = kafka.bootstrapServers();
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
    }

    void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            kafka.close();
        } finally {
            postgres.close();
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
