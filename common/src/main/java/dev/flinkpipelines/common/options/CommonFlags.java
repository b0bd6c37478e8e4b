package dev.flinkpipelines.common.options;

import dev.flinkpipelines.common.kafka.KafkaClientConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The flags every job shares (docs/CONTRACTS.md "Command line"); defaults point at localhost. */
public final class CommonFlags {

    /** Where a job starts reading when its state holds no offsets. */
    public enum StartingOffsets {
        EARLIEST,
        LATEST,
        COMMITTED
    }

    public static final Flag<String> BOOTSTRAP_SERVERS =
            Flag.string(
                    "bootstrap-servers", "localhost:9092", "Kafka brokers, host:port[,host:port]");
    public static final Flag<List<String>> KAFKA_PROPERTY = KafkaClientConfig.PROPERTY_FLAG;
    public static final Flag<Map<String, String>> KAFKA_PROPERTIES_FILE =
            KafkaClientConfig.PROPERTIES_FILE_FLAG;
    public static final Flag<String> GROUP_ID =
            Flag.string("group-id", null, "Kafka consumer group id (default: the job name)");
    public static final Flag<String> JDBC_URL =
            Flag.string(
                    "jdbc-url", "jdbc:postgresql://localhost:5432/flink", "PostgreSQL JDBC URL");
    public static final Flag<String> JDBC_USER =
            Flag.string("jdbc-user", "flink", "PostgreSQL user");
    public static final Flag<String> JDBC_PASSWORD_FILE =
            Flag.path(
                    "jdbc-password-file",
                    "file holding the PostgreSQL password (e.g. a mounted Secret), read by each process where it connects;"
                            + " without it and --jdbc-password: the PGPASSWORD environment variable, else ~/.pgpass");
    public static final Flag<String> JDBC_PASSWORD =
            Flag.secret(
                    "jdbc-password",
                    "PostgreSQL password, for local use only: a flag's value shows in ps, shell history and the Flink"
                            + " client log; prefer --jdbc-password-file");
    public static final Flag<Duration> CHECKPOINT_INTERVAL =
            Flag.duration(
                    "checkpoint-interval",
                    Duration.ofSeconds(1),
                    Duration.ofMillis(100),
                    "checkpoint interval; results become visible in PostgreSQL at each checkpoint");
    public static final Flag<Integer> PARALLELISM =
            Flag.integer("parallelism", 1, null, "job parallelism (default: the cluster's)");
    public static final Flag<StartingOffsets> STARTING_OFFSETS =
            Flag.choice(
                    "starting-offsets",
                    StartingOffsets.class,
                    StartingOffsets.COMMITTED,
                    "where to start without restored state; committed falls back to earliest for a new group");
    public static final Flag<Boolean> BOUNDED =
            Flag.enabledBy(
                    "bounded",
                    "read up to the end offsets present at start, then finish (batch execution over the same code)");
    public static final Flag<Duration> MAX_OUT_OF_ORDERNESS =
            Flag.duration(
                    "max-out-of-orderness",
                    Duration.ofSeconds(5),
                    Duration.ZERO,
                    "how late an event may arrive and still be on time");
    public static final Flag<String> SINK_ID =
            Flag.string(
                    "sink-id",
                    null,
                    "names the job's PostgreSQL sink: its prepared transactions and its lock; one running job per sink id"
                            + " and database, a second one is refused (default: the job name)");
    public static final Flag<Duration> SOURCE_IDLE_TIMEOUT =
            Flag.duration(
                    "source-idle-timeout",
                    Duration.ofSeconds(30),
                    Duration.ZERO,
                    "a Kafka partition silent this long stops holding back the watermark (0 = never)");

    private CommonFlags() {}

    /** The input topic flag with the job's default topic. */
    public static Flag<String> inputTopic(String defaultTopic) {
        return Flag.string("input-topic", defaultTopic, "Kafka topic to read");
    }

    /** A command line with every shared flag, to which a job adds its own. */
    public static CommandLine forJob(String jobName, String summary) {
        return new CommandLine("flink run <" + jobName + " jar>", summary)
                .add(
                        BOOTSTRAP_SERVERS,
                        KAFKA_PROPERTIES_FILE,
                        KAFKA_PROPERTY,
                        GROUP_ID,
                        JDBC_URL,
                        JDBC_USER,
                        JDBC_PASSWORD_FILE,
                        JDBC_PASSWORD,
                        CHECKPOINT_INTERVAL,
                        PARALLELISM,
                        STARTING_OFFSETS,
                        BOUNDED,
                        MAX_OUT_OF_ORDERNESS,
                        SOURCE_IDLE_TIMEOUT,
                        SINK_ID);
    }
}
