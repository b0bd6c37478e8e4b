package dev.flinkpipelines.common.options;

import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.postgres.PostgresTableSink;
import dev.flinkpipelines.common.postgres.TableSink;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.StreamSupport;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The one registry of jobs, for the tools that run every job (the demo, the benchmark): each job
 * module lists its job in {@code META-INF/services/dev.flinkpipelines.common.options.RegisteredJob}
 * with a subclass that hands its {@code JOB} to this constructor, and {@link #all()} finds them on
 * the class path — so a new job module is picked up without editing a list, and {@code common}
 * still imports no job. (java.util.ServiceLoader needs a public class with a no-argument
 * constructor, which a job's {@code JOB} constant is not.)
 */
public abstract class RegisteredJob implements StreamingJob {

    private final StreamingJob job;

    protected RegisteredJob(StreamingJob job) {
        this.job = job;
    }

    /** Every job on the class path, by name. */
    public static List<StreamingJob> all() {
        return StreamSupport.stream(
                        ServiceLoader.load(
                                        RegisteredJob.class, RegisteredJob.class.getClassLoader())
                                .spliterator(),
                        false)
                .map(r -> r.job)
                .sorted(Comparator.comparing(StreamingJob::name))
                .toList();
    }

    /** The job called {@code name}; one clear line naming the known jobs otherwise. */
    public static StreamingJob named(String name) {
        List<StreamingJob> all = all();
        return all.stream()
                .filter(j -> j.name().equals(name))
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "unknown job '"
                                                + name
                                                + "' (expected one of "
                                                + all.stream().map(StreamingJob::name).toList()
                                                + ")"));
    }

    @Override
    public String name() {
        return job.name();
    }

    @Override
    public CommandLine commandLine() {
        return job.commandLine();
    }

    @Override
    public List<String> requiredTopics(ParsedArgs args) {
        return job.requiredTopics(args);
    }

    @Override
    public List<String> requiredTables() {
        return job.requiredTables();
    }

    @Override
    public void build(StreamExecutionEnvironment env, ParsedArgs args, TableSink tables) {
        job.build(env, args, tables);
    }

    @Override
    public void build(StreamExecutionEnvironment env, ParsedArgs args) {
        job.build(env, args);
    }

    @Override
    public PostgresTableSink tableSink(ParsedArgs args) {
        return job.tableSink(args);
    }

    @Override
    public String sinkId(ParsedArgs args) {
        return job.sinkId(args);
    }

    @Override
    public void preflight(ParsedArgs args) throws Preflight.PreflightException {
        job.preflight(args);
    }
}
