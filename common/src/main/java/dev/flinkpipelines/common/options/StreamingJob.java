package dev.flinkpipelines.common.options;

import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.List;

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

    /** Wires source -> operators -> sinks into {@code env}; nothing else. */
    void build(StreamExecutionEnvironment env, ParsedArgs args);

    /** The checks every job makes before it reaches a cluster. */
    default void preflight(ParsedArgs args) throws Preflight.PreflightException {
        Preflight.postgres(JobEnvironment.postgres(args), requiredTables().toArray(new String[0]));
        Preflight.kafka(args.get(CommonFlags.BOOTSTRAP_SERVERS), requiredTopics(args));
    }
}
