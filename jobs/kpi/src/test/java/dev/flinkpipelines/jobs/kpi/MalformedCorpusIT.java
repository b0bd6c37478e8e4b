package dev.flinkpipelines.jobs.kpi;

import static dev.flinkpipelines.generator.OrderEventRecords.orderEventJson;
import static dev.flinkpipelines.jobs.kpi.ExpectedKpis.TYPES;
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
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The malformed-input corpus of {@code events_clean} (README, Tests) through the kpi job on a
 * MiniCluster, real Kafka and PostgreSQL, interleaved with valid events: every corpus record is a
 * dead letter exactly once with its exact bytes and coordinates, the KPIs are those of the valid
 * events alone, and the job finishes without a single failure or restart. The orders job normally
 * writes this topic; a producer that is not the orders job is exactly why kpi validates it.
 */
class MalformedCorpusIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(4);

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

    private static final int PARTITIONS = 3;
    private static final int VALID_EVENTS = 300;
    private static final Instant BASE = Instant.parse("2025-11-30T15:00:00Z");
    private static final DateTimeFormatter PG_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssx").withZone(ZoneOffset.UTC);

    @Test
    void everyMalformedRecordIsADeadLetterAndTheJobNeitherFailsNorRestarts(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        String topic = KAFKA.createTopic("events_clean", PARTITIONS);
        ProducedCorpus produced =
                ProducedCorpus.produce(
                        KAFKA,
                        topic,
                        PARTITIONS,
                        MalformedCorpus.generate(ContractSchemas.ORDER_EVENTS),
                        validEvents());

        // --bounded ends the input at the offsets present at start; run in streaming execution, the
        // production path (checkpoints, a commit per checkpoint, restarts on failure)
        ParsedArgs args =
                KpiJob.commandLine()
                        .parse(JobRunProof.boundedFlags(KAFKA, PG, "--input-topic", topic));
        JobRunProof.runBoundedInStreamingWithoutRestart(
                cluster, env -> KpiJob.JOB.build(env, args), "kpi malformed corpus");
        DeadLetterAssertions.assertExactlyTheCorpus(PG, KpiJob.NAME, produced);
        assertEquals(
                expectedKpis(),
                PG.rows(
                        "SELECT window_start, currency, revenue, orders_created, payments_initiated,"
                                + " payment_success, payment_failed, orders_cancelled, avg_order_value, success_rate FROM kpi_1m ORDER BY 1, 2"));
        assertEquals(
                List.of(),
                PG.rows("SELECT event_id FROM late_events"),
                "in order per partition: nothing is late");
        assertEquals(List.of(), PG.preparedTransactions());
    }

    /**
     * Event i: its own id, two seconds of event time after event i - 1, every type and both
     * currencies in turn.
     */
    private static List<byte[]> validEvents() {
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < VALID_EVENTS; i++) {
            String id =
                    UUID.nameUUIDFromBytes(("corpus-kpi-" + i).getBytes(StandardCharsets.UTF_8))
                            .toString();
            events.add(
                    orderEventJson(
                                    id,
                                    time(i).toString(),
                                    TYPES[i % TYPES.length],
                                    "ORD" + (i / 5),
                                    "USR" + (i % 13),
                                    amount(i).toPlainString(),
                                    currency(i),
                                    "success")
                            .getBytes(StandardCharsets.UTF_8));
        }
        return events;
    }

    private static Instant time(int i) {
        return BASE.plusSeconds(2L * i);
    }

    private static BigDecimal amount(int i) {
        return BigDecimal.valueOf(i * 3_797L % 100_000, 2);
    }

    private static String currency(int i) {
        return i % 4 == 0 ? "USD" : "VND";
    }

    /** Per minute and currency, with plain arithmetic over the valid events. */
    private static List<String> expectedKpis() {
        ExpectedKpis expected = new ExpectedKpis();
        for (int i = 0; i < VALID_EVENTS; i++) {
            String key =
                    PG_TIME.format(time(i).truncatedTo(ChronoUnit.MINUTES)) + "|" + currency(i);
            expected.add(key, TYPES[i % TYPES.length], amount(i));
        }
        return expected.rows();
    }
}
