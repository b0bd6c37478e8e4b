package dev.flinkpipelines.common.options;

import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.postgres.PostgresConnectionSettings;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The execution environment every job gets from the shared flags. */
public final class JobEnvironment {

    private JobEnvironment() {}

    /**
     * Exactly-once checkpoints at {@code --checkpoint-interval} (each checkpoint is a commit of the
     * PostgreSQL sink), {@code --parallelism}, BATCH execution with {@code --bounded}, no Kryo
     * fallback for any type, and object reuse between chained operators.
     */
    public static StreamExecutionEnvironment create(ParsedArgs args) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, args);
        return env;
    }

    public static void configure(StreamExecutionEnvironment env, ParsedArgs args) {
        // every record and state type must have a Flink serializer: a type that would fall back to
        // Kryo (slower, and its state unreadable once the class changes) fails the job when it is
        // submitted, not in production months later
        Configuration serializers = new Configuration();
        serializers.set(PipelineOptions.GENERIC_TYPES, false);
        // chained operators hand each other the record itself instead of a serializer's deep copy
        // (4-5 % of drink-shop's and orders' CPU in JFR). Safe because every record type is
        // immutable (records, TableRow) and no function changes its input or an object it emitted;
        // keep it so: an accumulator emitted as is must not reach a function that keeps it
        serializers.set(PipelineOptions.OBJECT_REUSE, true);
        env.configure(serializers);
        if (args.get(CommonFlags.PARALLELISM) != null) {
            env.setParallelism(args.get(CommonFlags.PARALLELISM));
        }
        if (args.get(CommonFlags.BOUNDED)) {
            env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        } else {
            env.enableCheckpointing(
                    args.get(CommonFlags.CHECKPOINT_INTERVAL).toMillis(),
                    CheckpointingMode.EXACTLY_ONCE);
        }
    }

    /** {@code --sink-id}, or {@code defaultSinkId} (the job's name) when it is not given. */
    public static String sinkId(ParsedArgs args, String defaultSinkId) {
        String sinkId = args.get(CommonFlags.SINK_ID);
        return sinkId != null ? sinkId : defaultSinkId;
    }

    public static PostgresConnectionSettings postgres(ParsedArgs args) {
        return new PostgresConnectionSettings(
                args.get(CommonFlags.JDBC_URL),
                args.get(CommonFlags.JDBC_USER),
                args.get(CommonFlags.JDBC_PASSWORD),
                args.get(CommonFlags.JDBC_PASSWORD_FILE));
    }
}
