package dev.flinkpipelines.common.options;

import dev.flinkpipelines.common.postgres.PostgresConnectionSettings;
import dev.flinkpipelines.common.postgres.PreparedTransactions;
import dev.flinkpipelines.common.postgres.SinkAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks run where the job is submitted, before anything reaches the cluster, so a wrong host,
 * a missing topic or an unprepared database is one clear sentence at {@code flink run} time
 * instead of a restart loop in the web UI.
 */
public final class Preflight {

    private Preflight() {}

    /** Reachable, able to prepare transactions, and migrated (the schema's tables exist). */
    public static void postgres(PostgresConnectionSettings settings, String... requiredTables) throws PreflightException {
        try (Connection c = settings.open("flink-pipelines preflight")) {
            PreparedTransactions.requireEnabled(c, settings.url());
            for (String table : requiredTables) {
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT to_regclass('" + table.replace("'", "''") + "')")) {
                    rs.next();
                    if (rs.getString(1) == null) {
                        throw new PreflightException("table " + table + " does not exist in " + settings.url()
                                + ": apply the schema first (java -jar sql/target/sql-<version>-migrate.jar --jdbc-url ...)");
                    }
                }
            }
        } catch (SQLException e) {
            throw new PreflightException(e.getMessage());
        }
    }

    /**
     * No running job writes with {@code sinkId} on this database: a second deployment is refused
     * here, at {@code flink run} time, before it reaches the cluster (its writers would be refused
     * there too, by the sink's fence).
     */
    public static void sinkIdFree(PostgresConnectionSettings settings, String sinkId) throws PreflightException {
        try (Connection c = settings.open("flink-pipelines preflight")) {
            List<String> writers = SinkAdmin.liveWriters(c, sinkId);
            if (!writers.isEmpty()) {
                throw new PreflightException("sink id '" + sinkId + "' is in use on " + settings.url() + " by "
                        + writers.get(0) + (writers.size() > 1 ? " and " + (writers.size() - 1) + " more writer sessions" : "")
                        + ": only one job may write with a sink id. Stop that job first (flink stop <job id>), or give"
                        + " this one its own --sink-id.");
            }
        } catch (SQLException e) {
            throw new PreflightException(e.getMessage());
        }
    }

    /** Reachable within 15 s, and every topic exists. */
    public static void kafka(String bootstrapServers, Collection<String> topics) throws PreflightException {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        try (Admin admin = Admin.create(config)) {
            admin.describeTopics(topics).allTopicNames().get(15, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new PreflightException("cannot reach Kafka at " + bootstrapServers
                    + " within 15 s: is the broker running, and is --bootstrap-servers right?");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new PreflightException("Kafka topic missing on " + bootstrapServers + ": " + e.getCause().getMessage()
                        + " (create it, or check the topic flags)");
            }
            throw new PreflightException("cannot reach Kafka at " + bootstrapServers + ": " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PreflightException("interrupted while checking Kafka at " + bootstrapServers);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new PreflightException("bad Kafka settings for " + bootstrapServers + ": " + e.getMessage());
        }
    }

    /** A service the job needs is missing or misconfigured; the message says which and what to do. */
    public static final class PreflightException extends Exception {
        private static final long serialVersionUID = 1L;

        public PreflightException(String message) {
            super(message);
        }
    }
}
