package dev.flinkpipelines.common.options;

import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import java.io.PrintStream;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The top of every job's {@code main}: parses flags, prints {@code --help}, and turns a bad flag
 * value or an unreachable service into one clear line and a non-zero exit, never a stack trace.
 */
public final class JobMain {

    /** Exit codes: 0 done or help, 1 the job could not run, 2 bad command line. */
    public static final int OK = 0;

    public static final int FAILED = 1;
    public static final int USAGE = 2;

    /** What a job does with its parsed flags: preflight, build the pipeline, execute. */
    @FunctionalInterface
    public interface JobBody {
        void run(ParsedArgs args) throws Exception;
    }

    private JobMain() {}

    /**
     * {@code main} of a Flink job: preflight, build, execute on the cluster {@code flink run}
     * points at.
     */
    public static void run(String[] argv, StreamingJob job) {
        run(
                argv,
                job.commandLine(),
                args -> {
                    job.preflight(args);
                    StreamExecutionEnvironment env = JobEnvironment.create(args);
                    job.build(env, args);
                    env.execute(job.name());
                });
    }

    public static void run(String[] argv, CommandLine cli, JobBody body) {
        int code = execute(argv, cli, body, System.out, System.err);
        if (!insideFlinkCluster()) {
            // a command line (flink run, java -cp): exit with the code. After --help there is no
            // job,
            // and `flink run` would report that as an error with a stack trace; after a failure the
            // one line printed is the message, and the code says it failed.
            System.exit(code);
        }
        // Inside a JobManager (the Kubernetes operator's FlinkSessionJob, a REST /jars/run,
        // application
        // mode), System.exit would take the JobManager down with every other job: return or throw.
        if (code != OK) {
            throw new IllegalStateException(
                    "the job did not start (exit code "
                            + code
                            + "): see the line above in"
                            + " the JobManager's output");
        }
    }

    /**
     * Whether this main runs inside a Flink cluster process rather than a command line: the JVM's
     * main class is one of Flink's cluster entry points.
     */
    static boolean insideFlinkCluster() {
        String mainClass = System.getProperty("sun.java.command", "");
        return mainClass.startsWith("org.apache.flink.runtime.")
                || mainClass.startsWith("org.apache.flink.kubernetes.")
                || mainClass.startsWith("org.apache.flink.container.")
                || mainClass.startsWith("org.apache.flink.yarn.");
    }

    /** The testable part: returns the exit code instead of exiting. */
    public static int execute(
            String[] argv, CommandLine cli, JobBody body, PrintStream out, PrintStream err) {
        CommandLine.Invocation invocation = cli.invoke(argv, out, err);
        if (!invocation.shouldRun()) {
            return invocation.exitCode();
        }
        ParsedArgs args = invocation.args();
        try {
            body.run(args);
            return OK;
        } catch (Preflight.PreflightException e) {
            err.println("error: " + e.getMessage());
            return FAILED;
        } catch (Exception e) {
            err.println("error: the job failed: " + causes(e));
            err.println("(full details are in the Flink logs / web UI)");
            return FAILED;
        }
    }

    /** The distinct messages of a cause chain, outermost first: what a person needs, no frames. */
    static String causes(Throwable t) {
        Set<String> messages = new LinkedHashSet<>();
        for (Throwable c = t; c != null && messages.size() < 6; c = c.getCause()) {
            String m = c.getMessage();
            messages.add(m == null || m.isBlank() ? c.getClass().getSimpleName() : m);
        }
        return String.join(": ", messages);
    }
}
