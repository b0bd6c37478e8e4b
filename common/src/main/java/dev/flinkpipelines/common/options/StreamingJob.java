package dev.flinkpipelines.common.options;

import dev.flinkpipelines.common.kafka.KafkaClientConfig;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.postgres.PostgresConnectionSettings;
import dev.flinkpipelines.common.postgres.PostgresSink;
import dev.flinkpipelines.common.postgres.PostgresTableSink;
import dev.flinkpipelines.common.postgres.TableSink;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What a job is to the tools that run it — {@code flink run} (through {@link JobMain}) and the
 * demo: a name, its flags, what it needs to exist before it starts, and how it wires itself.
 */
public interface StreamingJob {

    String name();

    CommandLine commandLine();

    /** Kafka topics that must exist before the job starts. */
    List<String> requiredTopics(ParsedArgs args);

    /** PostgreSQL tables that must exist (the schema is applied) before the job starts. */
    List<String> requiredTables();

    /**
     * Wires the job into {@code env}: its Kafka inputs, its pipeline, and its table rows into
     * {@code tables}; nothing else. (A job with another output, orders' Kafka topic, attaches it
     * here too.)
     */
    void build(StreamExecutionEnvironment env, ParsedArgs args, TableSink tables);

    /** Wires the job as it runs: its tables written by {@link #tableSink}. */
    default void build(StreamExecutionEnvironment env, ParsedArgs args) {
        build(env, args, tableSink(args));
    }

    /** The job's table end as it runs: exactly once into the PostgreSQL its flags name. */
    default PostgresTableSink tableSink(ParsedArgs args) {
        return PostgresTableSink.exactlyOnce(
                sinkId(args), JobEnvironment.postgres(args), args.get(CommonFlags.BOUNDED));
    }

    /**
     * How a job class wires itself: {@link #build(StreamExecutionEnvironment, ParsedArgs,
     * TableSink)}.
     */
    @FunctionalInterface
    interface Wiring {
        void build(StreamExecutionEnvironment env, ParsedArgs args, TableSink tables);
    }

    /** The id of the job's PostgreSQL sink: {@code --sink-id}, else the job's name. */
    default String sinkId(ParsedArgs args) {
        return JobEnvironment.sinkId(args, name());
    }

    /** A job from its parts; what each job class exposes as {@code JOB}. */
    static StreamingJob of(
            String name,
            Supplier<CommandLine> commandLine,
            Function<ParsedArgs, List<String>> requiredTopics,
            List<String> requiredTables,
            Wiring build) {
        return of(
                name,
                commandLine,
                requiredTopics,
                requiredTables,
                args -> JobEnvironment.sinkId(args, name),
                build);
    }

    /** As above, for a job whose default sink id depends on its flags. */
    static StreamingJob of(
            String name,
            Supplier<CommandLine> commandLine,
            Function<ParsedArgs, List<String>> requiredTopics,
            List<String> requiredTables,
            Function<ParsedArgs, String> sinkId,
            Wiring build) {
        return new StreamingJob() {
            @Override
            public String sinkId(ParsedArgs args) {
                return sinkId.apply(args);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public CommandLine commandLine() {
                return commandLine.get();
            }

            @Override
            public List<String> requiredTopics(ParsedArgs args) {
                return requiredTopics.apply(args);
            }

            @Override
            public List<String> requiredTables() {
                return requiredTables;
            }

            @Override
            public void build(StreamExecutionEnvironment env, ParsedArgs args, TableSink tables) {
                build.build(env, args, tables);
            }
        };
    }

    /** The checks every job makes before it reaches a cluster. */
    default void preflight(ParsedArgs args) throws Preflight.PreflightException {
        List<String> tables = new ArrayList<>(requiredTables());
        tables.add(PostgresSink.STAGING_TABLE);
        PostgresConnectionSettings postgres;
        try {
            postgres = JobEnvironment.postgres(args);
        } catch (IllegalArgumentException e) {
            throw new Preflight.PreflightException(e.getMessage());
        }
        Preflight.postgres(postgres, tables.toArray(new String[0]));
        Preflight.sinkIdFree(postgres, sinkId(args));
        Preflight.kafka(KafkaClientConfig.from(args), requiredTopics(args));
    }
}
