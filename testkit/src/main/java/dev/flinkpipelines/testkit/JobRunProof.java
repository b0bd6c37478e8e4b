package dev.flinkpipelines.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.executiongraph.ArchivedExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Proof that a job ran through without failing or restarting. A job that ends FINISHED may still
 * have failed and recovered on the way (the test cluster restarts failed jobs); Flink's archived
 * execution graph says otherwise: every task that ever failed was replaced by a new execution
 * attempt, so a run without any failure or restart is one in which every task finished in its first
 * attempt (attempt number 0), whether Flink restarted one region or the whole job.
 */
public final class JobRunProof {

    private JobRunProof() {}

    /**
     * The flags for a bounded run: {@code more} (topics and the like), parallelism 2, {@code
     * --bounded}, and no idleness — an input marked idle on a slow, shared machine could lose the
     * final watermark of a bounded run (FLINK-40499, tested on its own elsewhere).
     */
    public static String[] boundedFlags(
            KafkaExtension kafka, PostgresExtension pg, String... more) {
        List<String> flags = new ArrayList<>(List.of(more));
        flags.addAll(
                List.of(
                        "--parallelism",
                        String.valueOf(PARALLELISM),
                        "--bounded",
                        "--source-idle-timeout",
                        "0"));
        return JobFlags.pointingAt(kafka, pg, flags.toArray(new String[0]));
    }

    private static final int PARALLELISM = 2;

    /**
     * Runs {@code pipeline} (a job wired from {@link #boundedFlags}) over its bounded input in
     * streaming execution — the production path: checkpoints, a commit per checkpoint, restarts on
     * failure — and asserts that it finished with no failure and no restart ({@link
     * #assertFinishedWithoutRestart}).
     */
    public static void runBoundedInStreamingWithoutRestart(
            MiniCluster cluster, Consumer<StreamExecutionEnvironment> pipeline, String name)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.enableCheckpointing(200);
        pipeline.accept(env);
        assertFinishedWithoutRestart(cluster, env.executeAsync(name), Duration.ofMinutes(5));
    }

    /**
     * Waits for the job to end and asserts that it finished with no failure and no restart; returns
     * the number of tasks checked. A job that failed for good throws its failure from here.
     */
    public static int assertFinishedWithoutRestart(
            MiniCluster cluster, JobClient job, Duration timeout) throws Exception {
        job.getJobExecutionResult().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        ArchivedExecutionGraph graph =
                cluster.getArchivedExecutionGraph(job.getJobID())
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<String> problems = new ArrayList<>();
        if (graph.getState() != JobStatus.FINISHED) {
            problems.add("job is " + graph.getState());
        }
        if (graph.getFailureInfo() != null) {
            problems.add("job failure: " + graph.getFailureInfo().getExceptionAsString());
        }
        int tasks = 0;
        for (AccessExecutionVertex task : graph.getAllExecutionVertices()) {
            tasks++;
            int attempt = task.getCurrentExecutionAttempt().getAttemptNumber();
            if (attempt != 0 || task.getExecutionState() != ExecutionState.FINISHED) {
                problems.add(
                        task.getTaskNameWithSubtaskIndex()
                                + " is "
                                + task.getExecutionState()
                                + " in attempt "
                                + attempt
                                + task.getFailureInfo()
                                        .map(f -> ", failed with " + f.getExceptionAsString())
                                        .orElse(""));
            }
        }
        if (tasks == 0) {
            problems.add("the job has no tasks");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(
                    "job "
                            + job.getJobID()
                            + " did not finish at its first attempt: "
                            + String.join("; ", problems));
        }
        return tasks;
    }
}
