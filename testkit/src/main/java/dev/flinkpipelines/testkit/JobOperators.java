package dev.flinkpipelines.testkit;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.StreamOperator;

/**
 * A job's own operator, taken from the stream graph its {@code build} method wired, for Flink's
 * operator test harnesses: the test then covers the job's wiring (which operator, which state,
 * which lateness) and not a copy of it. Build the job again for each operator instance needed (a
 * restore needs a fresh one).
 */
public final class JobOperators {

    private JobOperators() {}

    @SuppressWarnings("unchecked")
    public static <T extends StreamOperator<?>> T byUid(
            StreamExecutionEnvironment env, String uid) {
        for (StreamNode node : env.getStreamGraph().getStreamNodes()) {
            if (uid.equals(node.getTransformationUID())) {
                return (T) node.getOperator();
            }
        }
        throw new IllegalArgumentException("the job has no operator with uid " + uid);
    }
}
