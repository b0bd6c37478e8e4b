package dev.flinkpipelines.jobs.kpi;

import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.events.OrderEventJson;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** The kpi job's tables (sql/migrations/V4) and their rows. */
final class KpiRows {

    /**
     * Upserted on (window_start, currency): a late event within the allowed lateness rewrites the
     * row.
     */
    static final TableSpec KPI_1M =
            TableSpec.upsert(
                    "kpi_1m",
                    List.of("window_start", "currency"),
                    "window_start",
                    "window_end",
                    "currency",
                    "revenue",
                    "orders_created",
                    "payments_initiated",
                    "payment_success",
                    "payment_failed",
                    "orders_cancelled",
                    "avg_order_value",
                    "success_rate",
                    "updated_at");

    static final TableSpec LATE_EVENTS =
            TableSpec.appendIgnoringDuplicates(
                    "late_events",
                    "event_id",
                    "event_time",
                    "currency",
                    "window_start",
                    "watermark",
                    "late_by_ms",
                    "payload",
                    "kafka_topic",
                    "kafka_partition",
                    "kafka_offset",
                    "seen_at");

    private KpiRows() {}

    static TableRow kpi(
            long windowStart,
            long windowEnd,
            String currency,
            KpiAccumulator k,
            Instant updatedAt) {
        return TableRow.of(
                KPI_1M.name(),
                Instant.ofEpochMilli(windowStart),
                Instant.ofEpochMilli(windowEnd),
                currency,
                k.revenue,
                k.ordersCreated,
                k.paymentsInitiated,
                k.paymentSuccess,
                k.paymentFailed,
                k.ordersCancelled,
                k.avgOrderValue(),
                k.successRate(),
                updatedAt);
    }

    static TableRow late(OrderEvent e, long windowStart, long watermark, Instant seenAt) {
        return TableRow.of(
                LATE_EVENTS.name(),
                e.id(),
                e.eventTime(),
                e.currency().name(),
                Instant.ofEpochMilli(windowStart),
                Instant.ofEpochMilli(watermark),
                watermark - e.eventTimeMillis(),
                new String(OrderEventJson.toJson(e), StandardCharsets.UTF_8),
                e.source().topic(),
                e.source().partition(),
                e.source().offset(),
                seenAt);
    }
}
