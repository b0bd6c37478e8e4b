package dev.flinkpipelines.common.options;

import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The one registry of jobs, for the tools that run every job (the demo, the benchmark): each job
 * module lists its job in {@code META-INF/services/dev.flinkpipelines.common.options.RegisteredJob}
 * with a subclass that hands its {@code JOB} to this constructor, and {@link #all()} finds them on
 * the class path — so a new job module is picked up without editing a list, and {@code common}
 * still imports no job. (java.util.ServiceLoader needs a public class with a no-argument
 * constructor, which a job's {@code JOB} constant is not.)
 */
public abstract class RegisteredJob {

    private final StreamingJob job;

    protected RegisteredJob(StreamingJob job) {
        this.job = job;
    }

    /** Every job on the class path, by name. */
    public static List<StreamingJob> all() {
        return ServiceLoader.load(RegisteredJob.class, RegisteredJob.class.getClassLoader())
                .stream()
                .map(registration -> registration.get().job)
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
}
