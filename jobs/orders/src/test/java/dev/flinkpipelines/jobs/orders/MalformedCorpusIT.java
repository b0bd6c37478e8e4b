package dev.flinkpipelines.jobs.orders;

import static dev.flinkpipelines.generator.OrderEventRecords.orderEventJson;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.testkit.FlinkTestCluster;
import dev.flinkpipelines.testkit.JobRunProof;
import dev.flinkpipelines.testkit.KafkaExtension;
import dev.flinkpipelines.testkit.PostgresExtension;
import dev.flinkpipelines.testkit.corpus.ContractSchemas;
import dev.flinkpipelines.testkit.corpus.DeadLetterAssertions;
import dev.flinkpipelines.testkit.corpus.MalformedCorpus;
import dev.flinkpipelines.testkit.corpus.ProducedCorpus;
import dev.flinkpipelines.testkit.corpus.ProducedCorpus.Landed;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The malformed-input corpus of {@code events_raw} (README, Tests) through the orders job on a
 * MiniCluster, real Kafka and PostgreSQL, interleaved with valid events: every corpus record is a
 * dead letter (an {@code invalid_events} row) exactly once with its exact bytes and coordinates,
 * every valid event is in {@code events_clean} and on the Kafka topic once, and the job finishes
 * without a single failure or restart.
 */
class MalformedCorpusIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(4);

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

    private static final int PARTITIONS = 3;
    private static final int VALID_EVENTS = 300;
    private static final Instant BASE = Instant.parse("2025-11-30T15:00:00Z");
    private static final String[] TYPES = {
        "order_created", "payment_initiated", "payment_success", "payment_failed", "order_cancelled"
    };
    private static final String[] STATUSES = {"success", "failed", "pending"};
    private static final DateTimeFormatter PG_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssx").withZone(ZoneOffset.UTC);
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    @Test
    void everyMalformedRecordIsADeadLetterAndTheJobNeitherFailsNorRestarts(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        String in = KAFKA.createTopic("events_raw", PARTITIONS);
        String out = KAFKA.createTopic("events_clean", 2);
        ProducedCorpus produced =
                ProducedCorpus.produce(
                        KAFKA,
                        in,
                        PARTITIONS,
                        MalformedCorpus.generate(ContractSchemas.ORDER_EVENTS),
                        validEvents());

        // --bounded ends the input at the offsets present at start; run in streaming execution, the
        // production path (checkpoints, a commit per checkpoint, restarts on failure)
        ParsedArgs args =
                OrdersJob.commandLine()
                        .parse(
                                JobRunProof.boundedFlags(
                                        KAFKA, PG, "--input-topic", in, "--output-topic", out));
        JobRunProof.runBoundedInStreamingWithoutRestart(
                cluster, env -> OrdersJob.JOB.build(env, args), "orders malformed corpus");
        int deadLetters = DeadLetterAssertions.assertExactlyTheCorpus(PG, OrdersJob.NAME, produced);
        assertEquals(
                List.of(String.valueOf(deadLetters)),
                PG.rows("SELECT count(*) FROM invalid_events"));
        assertEquals(
                expectedClean(produced),
                PG.rows(
                        "SELECT id, event_time, event_type, order_id, user_id, amount, currency, status,"
                                + " kafka_partition, kafka_offset FROM events_clean ORDER BY kafka_partition, kafka_offset"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < VALID_EVENTS; i++) {
            ids.add(id(i));
        }
        ids.sort(null);
        assertEquals(
                ids,
                publishedIds(out, ids.size()),
                "every valid event on the clean topic once, nothing of the corpus; transactions: "
                        + transactions());
        assertEquals(List.of(), PG.preparedTransactions());
    }

    /**
     * The event ids a read_committed consumer sees on {@code topic}, sorted. A commit returns
     * before the broker has written its markers, and read_committed sees nothing past a transaction
     * still without one: wait (a bounded time) until {@code expected} records are visible.
     */
    private static List<String> publishedIds(String topic, int expected)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<String> published = new ArrayList<>();
        do {
            published.clear();
            KAFKA.readAll(topic, "read_committed")
                    .forEach(
                            r -> {
                                Matcher id =
                                        ID.matcher(new String(r.value(), StandardCharsets.UTF_8));
                                published.add(
                                        id.find()
                                                ? id.group(1)
                                                : "no id in "
                                                        + new String(
                                                                r.value(), StandardCharsets.UTF_8));
                            });
            if (published.size() < expected) {
                Thread.sleep(500);
            }
        } while (published.size() < expected && System.nanoTime() < deadline);
        published.sort(null);
        return published;
    }

    /** The orders job's Kafka transactions and their states, to explain a missing event. */
    private static String transactions() throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                KAFKA.bootstrapServers()))) {
            Map<String, Long> states = new TreeMap<>();
            admin.listTransactions()
                    .all()
                    .get()
                    .forEach(t -> states.merge(t.state().toString(), 1L, Long::sum));
            return states.toString();
        }
    }

    /**
     * Event i: its own id, two seconds of event time after event i - 1, every type, status and
     * currency in turn.
     */
    private static List<byte[]> validEvents() {
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < VALID_EVENTS; i++) {
            events.add(
                    orderEventJson(
                                    id(i),
                                    time(i).toString(),
                                    TYPES[i % TYPES.length],
                                    "ORD" + (i / 5),
                                    "USR" + (i % 13),
                                    amount(i).toPlainString(),
                                    currency(i),
                                    STATUSES[i % STATUSES.length])
                            .getBytes(StandardCharsets.UTF_8));
        }
        return events;
    }

    private static String id(int i) {
        return UUID.nameUUIDFromBytes(("corpus-order-" + i).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    private static Instant time(int i) {
        return BASE.plusSeconds(2L * i);
    }

    private static BigDecimal amount(int i) {
        return BigDecimal.valueOf(i * 1_234L % 1_000_000, 2);
    }

    private static String currency(int i) {
        return i % 3 == 0 ? "USD" : "VND";
    }

    private static List<String> expectedClean(ProducedCorpus produced) {
        Map<Long, String> byCoordinates = new TreeMap<>();
        for (int i = 0; i < produced.valid().size(); i++) {
            Landed<byte[]> v = produced.valid().get(i);
            byCoordinates.put(
                    ((long) v.partition() << 40) + v.offset(),
                    id(i)
                            + "|"
                            + PG_TIME.format(time(i))
                            + "|"
                            + TYPES[i % TYPES.length]
                            + "|ORD"
                            + (i / 5)
                            + "|USR"
                            + (i % 13)
                            + "|"
                            + amount(i).toPlainString()
                            + "|"
                            + currency(i)
                            + "|"
                            + STATUSES[i % STATUSES.length]
                            + "|"
                            + v.partition()
                            + "|"
                            + v.offset());
        }
        return new ArrayList<>(byCoordinates.values());
    }
}
