package dev.flinkpipelines.common.options;

import dev.flinkpipelines.common.kafka.KafkaClientConfig;
import dev.flinkpipelines.common.postgres.PostgresConnectionSettings;
import dev.flinkpipelines.common.postgres.SinkAdmin;
import dev.flinkpipelines.common.postgres.internal.PreparedTransactions;
import dev.flinkpipelines.common.secrets.Secrets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Checks run where the job is submitted, before anything reaches the cluster, so a wrong host, a
 * missing topic or an unprepared database is one clear sentence at {@code flink run} time instead
 * of a restart loop in the web UI.
 */
public final class Preflight {

    private Preflight() {}

    /** Reachable, able to prepare transactions, and migrated (the schema's tables exist). */
    public static void postgres(PostgresConnectionSettings settings, String... requiredTables)
            throws PreflightException {
        try (Connection c = settings.open("flink-pipelines preflight")) {
            PreparedTransactions.requireEnabled(c, settings.url());
            for (String table : requiredTables) {
                try (Statement s = c.createStatement();
                        ResultSet rs =
                                s.executeQuery(
                                        "SELECT to_regclass('" + table.replace("'", "''") + "')")) {
                    rs.next();
                    if (rs.getString(1) == null) {
                        throw new PreflightException(
                                "table "
                                        + table
                                        + " does not exist in "
                                        + settings.url()
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
    public static void sinkIdFree(PostgresConnectionSettings settings, String sinkId)
            throws PreflightException {
        try (Connection c = settings.open("flink-pipelines preflight")) {
            List<String> writers = SinkAdmin.liveWriters(c, sinkId);
            if (!writers.isEmpty()) {
                throw new PreflightException(
                        "sink id '"
                                + sinkId
                                + "' is in use on "
                                + settings.url()
                                + " by "
                                + writers.get(0)
                                + (writers.size() > 1
                                        ? " and " + (writers.size() - 1) + " more writer sessions"
                                        : "")
                                + ": only one job may write with a sink id. Stop that job first (flink stop <job id>), or give"
                                + " this one its own --sink-id.");
            }
        } catch (SQLException e) {
            throw new PreflightException(e.getMessage());
        }
    }

    /** Plain Kafka at {@code bootstrapServers}: reachable within 15 s, and every topic exists. */
    public static void kafka(String bootstrapServers, Collection<String> topics)
            throws PreflightException {
        kafka(KafkaClientConfig.of(bootstrapServers), topics);
    }

    /**
     * Reachable within 15 s with the job's client properties, the credentials accepted, and every
     * topic exists. Kafka's messages are scrubbed of the properties' secret values.
     */
    public static void kafka(KafkaClientConfig kafka, Collection<String> topics)
            throws PreflightException {
        Properties config = kafka.clientProperties();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "flink-pipelines-preflight");
        String at = "Kafka at " + kafka.bootstrapServers();
        try (Admin admin = Admin.create(config)) {
            // the admin client gives up after default.api.timeout.ms (15 s, above) with its own
            // TimeoutException; this wait is longer, a backstop only, so the outcome does not
            // depend
            // on which of two equal deadlines expires first
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw unreachable(at, kafka);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(at, kafka);
            }
            if (cause instanceof UnknownTopicOrPartitionException) {
                throw new PreflightException(
                        "Kafka topic missing on "
                                + kafka.bootstrapServers()
                                + ": "
                                + cause.getMessage()
                                + " (create it, or check the topic flags)");
            }
            if (cause instanceof AuthenticationException) {
                throw new PreflightException(
                        at
                                + " refused to authenticate the job: "
                                + scrub(cause, kafka)
                                + " (check sasl.mechanism and the credentials in sasl.jaas.config)");
            }
            if (cause instanceof AuthorizationException) {
                throw new PreflightException(
                        at
                                + " denied the job access: "
                                + scrub(cause, kafka)
                                + " (the job's principal needs DESCRIBE and READ on its topics, and the orders job WRITE and"
                                + " transactional-id access for its output)");
            }
            throw new PreflightException("cannot reach " + at + ": " + scrub(cause, kafka));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PreflightException("interrupted while checking " + at);
        } catch (KafkaException e) {
            // the client could not even be created: Kafka's own message ("Failed to create new
            // KafkaAdminClient") says nothing; the innermost cause says what is wrong (e.g. no JAAS
            // login for SASL, an unknown property value)
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new PreflightException(
                    "bad Kafka client settings for "
                            + kafka.bootstrapServers()
                            + ": "
                            + scrub(e, kafka)
                            + (root == e ? "" : ": " + scrub(root, kafka)));
        }
    }

    /**
     * No answer from the broker in time: not running, a wrong address, or a listener that wants
     * security settings.
     */
    private static PreflightException unreachable(String at, KafkaClientConfig kafka) {
        return new PreflightException(
                "cannot reach "
                        + at
                        + " within 15 s: is the broker running, is --bootstrap-servers"
                        + " right"
                        + (kafka.secured()
                                ? ""
                                : ", and does its listener need security settings"
                                        + " (--kafka-properties-file, e.g. security.protocol=SASL_SSL)")
                        + "?");
    }

    /** The message of a Kafka failure, with every secret value of the client properties masked. */
    private static String scrub(Throwable failure, KafkaClientConfig kafka) {
        String message =
                failure.getMessage() == null
                        ? failure.getClass().getSimpleName()
                        : failure.getMessage().replaceAll("\\s*\\R\\s*", " "); // one line
        return Secrets.scrub(
                message,
                kafka.properties().entrySet().stream()
                        .filter(p -> Secrets.isSensitive(p.getKey()))
                        .map(Map.Entry::getValue)
                        .toArray(String[]::new));
    }

    /**
     * A service the job needs is missing or misconfigured; the message says which and what to do.
     */
    public static final class PreflightException extends Exception {
        private static final long serialVersionUID = 1L;

        public PreflightException(String message) {
            super(message);
        }
    }
}
