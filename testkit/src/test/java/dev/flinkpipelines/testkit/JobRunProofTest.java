package dev.flinkpipelines.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The proof must tell a clean run from one that failed once and recovered to the same result. */
class JobRunProofTest {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(2);

    @Test
    void aCleanRunPasses(@InjectMiniCluster MiniCluster cluster) throws Exception {
        JobClient job = run(false);
        // source, map and sink chained into one task per subtask, two subtasks
        assertEquals(
                2, JobRunProof.assertFinishedWithoutRestart(cluster, job, Duration.ofMinutes(1)));
    }

    @Test
    void aRunThatFailedOnceAndRecoveredIsCaught(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        JobClient job = run(true);
        AssertionError error =
                assertThrows(
                        AssertionError.class,
                        () ->
                                JobRunProof.assertFinishedWithoutRestart(
                                        cluster, job, Duration.ofMinutes(1)));
        assertTrue(error.getMessage().contains("in attempt 1"), error.getMessage());
    }

    private static JobClient run(boolean failFirstAttempt) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.fromSequence(1, 1_000)
                .map(new FailInFirstAttempt(failFirstAttempt))
                .sinkTo(new DiscardingSink<>());
        return env.executeAsync("job run proof");
    }

    /**
     * Throws in the first execution attempt of each subtask when asked to, so the restart then
     * succeeds.
     */
    private static final class FailInFirstAttempt extends RichMapFunction<Long, Long> {
        private static final long serialVersionUID = 1L;
        private final boolean fail;

        FailInFirstAttempt(boolean fail) {
            this.fail = fail;
        }

        @Override
        public Long map(Long value) {
            if (fail && value > 500 && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
                throw new IllegalStateException("injected failure in the first attempt");
            }
            return value;
        }
    }
}
