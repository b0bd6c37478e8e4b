package dev.flinkpipelines.devservices;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Utils;

/**
 * A real single-node Kafka in this JVM: KRaft, one node that is both broker and controller, from
 * Kafka's own test kit. The tests, the demo and the benchmark all start theirs here, so they need
 * nothing installed but Java, and their brokers differ only where their needs do. Close the
 * returned kit to stop it.
 */
public final class LocalKafka {

    private LocalKafka() {}

    /** One node that is broker and controller at once: the whole of a local cluster. */
    public static TestKitNodes.Builder singleNode() {
        return new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1);
    }

    /** A kit of {@code nodes} with the settings every local broker has; add more, then build. */
    public static KafkaClusterTestKit.Builder withLocalSettings(TestKitNodes nodes) {
        return new KafkaClusterTestKit.Builder(nodes)
                // one broker: internal topics cannot have more replicas than that
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                // a new consumer group starts at once instead of waiting for more members to join
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                // the broker's ceiling for transactional producers (exactly-once sinks): Kafka's
                // default, stated because the jobs' transaction timeouts must stay below it
                .setConfigProp("transaction.max.timeout.ms", "900000");
    }

    /** Starts a broker with its files in temporary directories: for tests. */
    public static KafkaClusterTestKit startInTemporaryDirectories() throws Exception {
        return start(withLocalSettings(singleNode().build()).build());
    }

    /** Formats and starts {@code kafka}; returns it once its broker serves. */
    public static KafkaClusterTestKit start(KafkaClusterTestKit kafka) throws Exception {
        kafka.format();
        return serve(kafka);
    }

    /**
     * Starts a broker with fresh files in {@code dir} (an earlier run's are deleted first): for the
     * demo and the benchmark.
     */
    public static KafkaClusterTestKit startFresh(Path dir) throws Exception {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException leftOver) {
            // what cannot be deleted is left for the broker to complain about
        }
        KafkaClusterTestKit kafka =
                withLocalSettings(singleNode().setBaseDirectory(dir).build()).build();
        // the kit prints its bootstrap metadata to stdout; the demo's and bench's console is for
        // people
        PrintStream console = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            kafka.format();
        } finally {
            System.setOut(console);
        }
        return serve(kafka);
    }

    private static KafkaClusterTestKit serve(KafkaClusterTestKit kafka) throws Exception {
        kafka.startup();
        kafka.waitForReadyBrokers();
        return kafka;
    }
}
