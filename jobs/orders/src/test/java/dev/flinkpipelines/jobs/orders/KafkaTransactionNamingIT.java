package dev.flinkpipelines.jobs.orders;

import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.JobEnvironment;
import dev.flinkpipelines.testkit.FlinkTestCluster;
import dev.flinkpipelines.testkit.JobFlags;
import dev.flinkpipelines.testkit.KafkaExtension;
import dev.flinkpipelines.testkit.PostgresExtension;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The orders job's Kafka writer moved from the connector's default transaction naming (INCREMENTING)
 * to POOLING. A deployment upgrading to this version resumes from a savepoint of the old writer: that
 * savepoint must restore into POOLING with every clean event published once, and nothing left open on
 * the broker; going back to INCREMENTING from a POOLING savepoint is refused by the connector, loudly.
 */
class KafkaTransactionNamingIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestCluster.create(4);

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    @Test
    void aSavepointOfTheIncrementingWriterResumesWithPoolingExactlyOnce(@TempDir Path savepoints) throws Exception {
        String in = KAFKA.createTopic("events_raw", 2);
        String out = KAFKA.createTopic("events_clean", 2);
        List<String> first = events(0, 300);
        List<String> second = events(300, 300);
        KAFKA.produceLines(in, 0, first.subList(0, 150));
        KAFKA.produceLines(in, 1, first.subList(150, 300));

        JobClient old = start(in, out, TransactionNamingStrategy.INCREMENTING, null);
        awaitPublished(out, 300);
        String savepoint = old.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);

        // new events, and copies of old ones the restored dedup state must still drop
        List<String> more = new ArrayList<>(second);
        more.addAll(first.subList(0, 20));
        KAFKA.produceLines(in, 0, more.subList(0, 160));
        KAFKA.produceLines(in, 1, more.subList(160, more.size()));
        JobClient upgraded = start(in, out, TransactionNamingStrategy.POOLING, savepoint);
        awaitPublished(out, 600);
        String pooled = upgraded.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);

        Map<String, Integer> copies = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.readAll(out, "read_committed")) {
            copies.merge(new String(r.value(), StandardCharsets.UTF_8).substring(7, 43), 1, Integer::sum);
        }
        assertEquals(600, copies.size(), "every clean event published");
        assertTrue(copies.values().stream().allMatch(n -> n == 1), "no event published twice: " + copies);
        assertEquals(List.of("600"), PG.rows("SELECT count(*) FROM events_clean"));
        assertEquals(List.of(), openTransactions(OrdersJob.NAME + "-" + out), "no transaction of the job left open on the broker");
        assertEquals(List.of(), PG.preparedTransactions());

        // the way back is refused: the connector cannot tell which pooled ids an INCREMENTING writer must abort
        JobClient back = start(in, out, TransactionNamingStrategy.INCREMENTING, pooled);
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> back.getJobExecutionResult().get(2, TimeUnit.MINUTES));
        assertTrue(ExceptionUtils.findThrowableWithMessage(failed, "back to INCREMENTING").isPresent(),
                "the connector says why: " + ExceptionUtils.stringifyException(failed));
    }

    private JobClient start(String in, String out, TransactionNamingStrategy naming, String savepoint) throws Exception {
        ParsedArgs args = OrdersJob.commandLine().parse(JobFlags.pointingAt(KAFKA, PG,
                "--input-topic", in, "--output-topic", out, "--parallelism", "2", "--checkpoint-interval", "200ms",
                "--group-id", "naming-" + UUID.randomUUID()));
        Configuration conf = new Configuration();
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        JobEnvironment.configure(env, args);
        OrdersJob.build(env, args, UnaryOperator.identity(), naming);
        return env.executeAsync("orders " + naming);
    }

    private static void awaitPublished(String topic, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            seen = KAFKA.readAll(topic, "read_committed").size();
            if (seen >= count) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(topic + ": " + seen + " committed records after 2 minutes, expected " + count);
    }

    private static List<String> openTransactions(String prefix) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            List<String> open = new ArrayList<>();
            for (TransactionListing t : admin.listTransactions(new ListTransactionsOptions().filterStates(List.of(TransactionState.ONGOING)))
                    .all().get(30, TimeUnit.SECONDS)) {
                if (t.transactionalId().startsWith(prefix + "-")) {
                    open.add(t.transactionalId());
                }
            }
            return open;
        }
    }

    private static List<String> events(int from, int n) {
        List<String> lines = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            String id = UUID.nameUUIDFromBytes(("naming-" + i).getBytes(StandardCharsets.UTF_8)).toString();
            lines.add("{\"id\":\"" + id + "\",\"eventTime\":\"2025-11-30T15:30:" + String.format("%02d", i % 60) + "Z\",\"eventType\":"
                    + "\"order_created\",\"orderId\":\"ORD" + i + "\",\"userId\":\"USR1\",\"amount\":" + i + ".25,\"currency\":\"USD\","
                    + "\"status\":\"success\"}");
        }
        return lines;
    }
}
