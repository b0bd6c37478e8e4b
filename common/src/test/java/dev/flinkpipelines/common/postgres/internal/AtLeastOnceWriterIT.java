package dev.flinkpipelines.common.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flinkpipelines.common.postgres.PostgresConnectionSettings;
import dev.flinkpipelines.common.postgres.PostgresSink;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableSpec;
import dev.flinkpipelines.testkit.PostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sink's at-least-once mode against a real PostgreSQL: the same writer, but each barrier ends
 * the transaction with a plain COMMIT — rows are visible at once, nothing is prepared, and the
 * committer gets nothing.
 */
class AtLeastOnceWriterIT {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final TableSpec EVENTS =
            TableSpec.appendIgnoringDuplicates("alo_events", "id", "name");
    private static final TableSpec COUNTS = TableSpec.upsert("alo_counts", List.of("k"), "k", "n");

    private PostgresConnectionSettings connection;

    @BeforeEach
    void setUp() throws Exception {
        PG.rollBackPreparedTransactions();
        PG.execute(
                "CREATE TABLE IF NOT EXISTS alo_events (id INT PRIMARY KEY, name TEXT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS alo_counts (k INT PRIMARY KEY, n BIGINT NOT NULL)",
                "TRUNCATE alo_events, alo_counts");
        connection = new PostgresConnectionSettings(PG.jdbcUrl(), PG.user(), PG.password());
    }

    @Test
    void eachBarrierCommitsWithoutPreparingAndHandsNothingToTheCommitter() throws Exception {
        SinkConfig config =
                new SinkConfig(
                        "alo",
                        connection,
                        List.of(EVENTS, COUNTS),
                        2,
                        Duration.ofSeconds(1),
                        false,
                        Duration.ofMillis(500),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(5));
        PostgresSinkWriter writer =
                new PostgresSinkWriter(
                        config,
                        "job-alo",
                        0,
                        1,
                        OptionalLong.empty(),
                        new QueueMailbox(),
                        UnregisteredMetricsGroup.createSinkWriterMetricGroup(),
                        List.of());

        writer.write(TableRow.of("alo_events", 1, "a"), null);
        writer.write(
                TableRow.of("alo_counts", 7, 1L), null); // a batch of 2: written, not yet committed
        assertEquals(
                List.of(),
                PG.rows("SELECT id FROM alo_events"),
                "written rows stay invisible until the barrier");

        writer.write(TableRow.of("alo_events", 2, "b"), null);
        writer.flush(false);
        assertEquals(List.of(), writer.prepareCommit(), "no committables at least once");
        writer.snapshotState(1);
        assertEquals(List.of("1|a", "2|b"), PG.rows("SELECT id, name FROM alo_events ORDER BY id"));
        assertEquals(List.of("7|1"), PG.rows("SELECT k, n FROM alo_counts"));
        assertEquals(List.of(), PG.preparedTransactions());

        // the next checkpoint updates the same key at once: no prepared transaction holds its lock
        writer.write(TableRow.of("alo_counts", 7, 2L), null);
        writer.write(TableRow.of("alo_counts", 8, 1L), null);
        writer.flush(true);
        assertEquals(List.of(), writer.prepareCommit());
        writer.close();
        assertEquals(List.of("7|2", "8|1"), PG.rows("SELECT k, n FROM alo_counts ORDER BY k"));
        assertEquals(List.of(), PG.preparedTransactions());
    }

    @Test
    void theGuaranteeIsChosenOnTheBuilderOrOnACopyOfASink() {
        PostgresSink exactlyOnce = PostgresSink.builder("g", connection).table(EVENTS).build();
        assertEquals(DeliveryGuarantee.EXACTLY_ONCE, exactlyOnce.deliveryGuarantee());
        PostgresSink atLeastOnce =
                exactlyOnce.withDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE);
        assertEquals(DeliveryGuarantee.AT_LEAST_ONCE, atLeastOnce.deliveryGuarantee());
        assertEquals(exactlyOnce.tables(), atLeastOnce.tables());
        assertEquals(
                DeliveryGuarantee.EXACTLY_ONCE,
                exactlyOnce.deliveryGuarantee(),
                "the original is unchanged");
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        PostgresSink.builder("g", connection)
                                .table(EVENTS)
                                .deliveryGuarantee(DeliveryGuarantee.NONE));
    }
}
