package dev.flinkpipelines.jobs.videoviews;

import dev.flinkpipelines.common.events.VideoView;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import dev.flinkpipelines.common.postgres.TableRow;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The qualifying rule, hourly counts and lateness, in Flink's keyed operator test harness. */
class ViewCounterTest {

    private static final long HOUR = 3_600_000;

    private static VideoView view(String id, long time, int seconds, boolean revenue) {
        return new VideoView(id, "v1", "u1", "s1", Instant.ofEpochMilli(time), seconds, "web", "VN", null, "1080p", revenue,
                new SourceCoordinates("video-views", 0, time));
    }

    @Test
    void qualifyingRuleHourlyCountsAndLateness() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, VideoView, TableRow>(
                new KeyedProcessOperator<>(new ViewCounter(30, Duration.ofMinutes(10), new ViewRows("public"))),
                VideoView::videoId, Types.STRING)) {
            h.open();
            h.processElement(new StreamRecord<>(view("a", 1_000, 30, true), 1_000));   // exactly the threshold: counts
            h.processElement(new StreamRecord<>(view("b", 2_000, 29, true), 2_000));   // one second short
            h.processElement(new StreamRecord<>(view("c", 3_000, 600, false), 3_000)); // counts, not revenue
            h.processWatermark(HOUR - 1 + 10 * 60_000 - 1);                            // hour 0 still open
            h.processElement(new StreamRecord<>(view("d", 4_000, 45, true), 4_000));   // late but within lateness
            h.processWatermark(HOUR - 1 + 10 * 60_000);                                // hour 0 closes
            h.processElement(new StreamRecord<>(view("e", 5_000, 45, true), 5_000));   // too late
            assertEquals(0, h.numKeyedStateEntries(), "a closed hour's state is dropped");

            List<String> ledger = h.extractOutputValues().stream().filter(r -> r.table().equals("public.view_ledger"))
                    .map(r -> r.value(0) + "|" + r.value(6) + "|" + r.value(7)).collect(Collectors.toList());
            assertEquals(List.of("a|true|null", "b|false|too_short", "c|true|null", "d|true|null", "e|false|late"), ledger);
            List<String> hourly = h.extractOutputValues().stream().filter(r -> r.table().equals("public.video_views_1h"))
                    .map(r -> r.value(2) + "/" + r.value(3)).collect(Collectors.toList());
            assertEquals(List.of("1/1", "2/1", "3/2"), hourly, "each counted view upserts the hour's running totals");
        }
    }
}
