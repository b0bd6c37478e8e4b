package dev.flinkpipelines.demo;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node Kafka (KRaft, broker and controller in one) in this JVM, with its files in a
 * directory of its own: for the demo and the benchmark, which both run on a machine with nothing
 * installed but Java.
 */
public final class EmbeddedKafka {

    private EmbeddedKafka() {}

    /** Starts a broker with fresh files in {@code dir}; waits until it serves. Close it to stop. */
    public static KafkaClusterTestKit start(Path dir) throws Exception {
        // the files of an earlier run; what cannot be deleted is left for the broker to complain
        // about
        FileUtils.deleteDirectoryQuietly(dir.toFile());
        KafkaClusterTestKit kafka =
                new KafkaClusterTestKit.Builder(
                                new TestKitNodes.Builder()
                                        .setCombined(true)
                                        .setNumBrokerNodes(1)
                                        .setNumControllerNodes(1)
                                        .setBaseDirectory(dir)
                                        .build())
                        // one broker: internal topics cannot have more replicas than that
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .build();
        // the test kit prints its bootstrap metadata to stdout; the console is for people
        PrintStream console = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            kafka.format();
        } finally {
            System.setOut(console);
        }
        kafka.startup();
        kafka.waitForReadyBrokers();
        return kafka;
    }
}
