package dev.flinkpipelines.common.options;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.testkit.FlinkTestCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every job's environment refuses types without a Flink serializer, so every job test proves its
 * types have one.
 */
class JobEnvironmentTest {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(1);

    /**
     * No default constructor and a final field: not a POJO, so Flink would serialize it with Kryo.
     */
    static final class NotAPojo {
        final int value;

        NotAPojo(int value) {
            this.value = value;
        }
    }

    @Test
    void aTypeThatWouldNeedKryoFailsTheJobAtSubmission() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(
                env,
                CommonFlags.forJob("test", "a test job")
                        .parse(
                                "--bootstrap-servers",
                                "localhost:9092",
                                "--jdbc-url",
                                "jdbc:postgresql://localhost/test",
                                "--bounded"));
        env.fromData(1, 2, 3).map(NotAPojo::new).map(p -> p.value).print();
        Exception failure = assertThrows(Exception.class, () -> env.execute("generic type"));
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertTrue(
                messages.toString().contains("Generic types have been disabled"),
                messages.toString());
    }

    @Test
    void chainedOperatorsPassRecordsWithoutCopying() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobEnvironment.configure(
                env,
                CommonFlags.forJob("test", "a test job")
                        .parse(
                                "--bootstrap-servers",
                                "localhost:9092",
                                "--jdbc-url",
                                "jdbc:postgresql://localhost/test"));
        assertTrue(env.getConfig().isObjectReuseEnabled());
    }
}
