package dev.flinkpipelines.bench;

import dev.flinkpipelines.demo.EmbeddedKafka;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;

/**
 * The bench's own PostgreSQL 17 (embedded binaries, durable defaults: fsync and synchronous_commit
 * on) and Kafka KRaft broker, both on this machine, started fresh in the data directory.
 */
final class Services implements AutoCloseable {

    /** Server settings, the same for the COPY ceiling and every run. */
    static final Map<String, String> POSTGRES_SETTINGS =
            Map.of(
                    "max_prepared_transactions", "100",
                    "max_connections", "200",
                    "shared_buffers", "512MB",
                    "max_wal_size", "4GB");

    final EmbeddedPostgres postgres;
    final KafkaClusterTestKit kafka;
    final String jdbcUrl;
    final String bootstrapServers;

    Services(Path dataDir) throws Exception {
        EmbeddedPostgres.Builder pg =
                EmbeddedPostgres.builder()
                        .setDataDirectory(dataDir.resolve("postgres"))
                        .setCleanDataDirectory(true);
        POSTGRES_SETTINGS.forEach(pg::setServerConfig);
        postgres = pg.start();
        jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";

        kafka = EmbeddedKafka.start(dataDir.resolve("kafka"));
        bootstrapServers = kafka.bootstrapServers();
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
    }

    void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
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
}
