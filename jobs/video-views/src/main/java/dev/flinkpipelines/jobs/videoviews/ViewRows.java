package dev.flinkpipelines.jobs.videoviews;

import dev.flinkpipelines.common.events.VideoView;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableSpec;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;

/**
 * The video-views tables (sql/migrations/V6) in one schema: {@code public} for the streaming run,
 * {@code reconcile} for the bounded (batch) run that checks it.
 */
final class ViewRows implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Why a valid view is not counted. */
    static final String DUPLICATE = "duplicate";

    static final String TOO_SHORT = "too_short";
    static final String LATE = "late";

    final TableSpec ledger;
    final TableSpec hourly;

    ViewRows(String schema) {
        // one row per raw record, unique by its coordinates; the database itself refuses a second
        // counted row for an event id (a partial unique index)
        ledger =
                TableSpec.appendIgnoringDuplicates(
                        schema + ".view_ledger",
                        "event_id",
                        "video_id",
                        "user_id",
                        "session_id",
                        "event_time",
                        "view_duration",
                        "counted",
                        "reason",
                        "revenue_eligible",
                        "window_start",
                        "kafka_topic",
                        "kafka_partition",
                        "kafka_offset");
        // running totals only grow: the greatest wins, whatever order the rows reach the sink in
        hourly =
                TableSpec.upsert(
                                schema + ".video_views_1h",
                                List.of("window_start", "video_id"),
                                "window_start",
                                "video_id",
                                "total_views",
                                "revenue_views",
                                "updated_at")
                        .keepingGreatest("total_views");
    }

    TableRow ledger(VideoView v, boolean counted, String reason, long windowStart) {
        return TableRow.of(
                ledger.name(),
                v.eventId(),
                v.videoId(),
                v.userId(),
                v.sessionId(),
                v.timestamp(),
                v.viewDurationSeconds(),
                counted,
                reason,
                v.revenueEligible(),
                Instant.ofEpochMilli(windowStart),
                v.source().topic(),
                v.source().partition(),
                v.source().offset());
    }

    TableRow hourly(String videoId, long windowStart, long total, long revenue) {
        return TableRow.of(
                hourly.name(),
                Instant.ofEpochMilli(windowStart),
                videoId,
                total,
                revenue,
                Instant.now());
    }
}
