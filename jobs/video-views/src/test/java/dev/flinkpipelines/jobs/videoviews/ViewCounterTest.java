package dev.flinkpipelines.jobs.videoviews;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.events.VideoView;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.testkit.JobOperators;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/** The qualifying rule, hourly counts and lateness, in Flink's keyed operator test harness. */
class ViewCounterTest {

    private static final long HOUR = 3_600_000;

    /** Equal to the job's tag (output tags are equal by id). */
    private static final OutputTag<VideoView> DUPLICATES =
            new OutputTag<>("duplicates", TypeInformation.of(VideoView.class));

    private static VideoView view(String id, long time, int seconds, boolean revenue) {
        return new VideoView(
                id,
                "v1",
                "u1",
                "s1",
                Instant.ofEpochMilli(time),
                seconds,
                "web",
                "VN",
                null,
                "1080p",
                revenue,
                new SourceCoordinates("video-views", 0, time));
    }

    @Test
    void qualifyingRuleHourlyCountsAndLateness() throws Exception {
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<String, VideoView, TableRow>(
                        new KeyedProcessOperator<>(
                                new ViewCounter(
                                        30, Duration.ofMinutes(10), new ViewRows("public"))),
                        VideoView::videoId,
                        Types.STRING)) {
            h.open();
            h.processElement(
                    new StreamRecord<>(
                            view("a", 1_000, 30, true), 1_000)); // exactly the threshold: counts
            h.processElement(
                    new StreamRecord<>(view("b", 2_000, 29, true), 2_000)); // one second short
            h.processElement(
                    new StreamRecord<>(view("c", 3_000, 600, false), 3_000)); // counts, not revenue
            h.processWatermark(HOUR - 1 + 10 * 60_000 - 1); // hour 0 still open
            h.processElement(
                    new StreamRecord<>(
                            view("d", 4_000, 45, true), 4_000)); // late but within lateness
            h.processWatermark(HOUR - 1 + 10 * 60_000); // hour 0 closes
            h.processElement(new StreamRecord<>(view("e", 5_000, 45, true), 5_000)); // too late
            assertEquals(0, h.numKeyedStateEntries(), "a closed hour's state is dropped");

            List<String> ledger =
                    h.extractOutputValues().stream()
                            .filter(r -> r.table().equals("public.view_ledger"))
                            .map(r -> r.value(0) + "|" + r.value(6) + "|" + r.value(7))
                            .collect(Collectors.toList());
            assertEquals(
                    List.of(
                            "a|true|null",
                            "b|false|too_short",
                            "c|true|null",
                            "d|true|null",
                            "e|false|late"),
                    ledger);
            List<String> hourly =
                    h.extractOutputValues().stream()
                            .filter(r -> r.table().equals("public.video_views_1h"))
                            .map(r -> r.value(2) + "/" + r.value(3))
                            .collect(Collectors.toList());
            assertEquals(
                    List.of("1/1", "2/1", "3/2"),
                    hourly,
                    "each counted view upserts the hour's running totals");
        }
    }

    // ---- the job's own operators (by uid), across a restore ------------------------------------

    private static StreamExecutionEnvironment job() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        VideoViewsJob.JOB.build(env, VideoViewsJob.commandLine().parse(new String[0]));
        return env;
    }

    private static <O> OneInputStreamOperator<VideoView, O> jobOperator(String uid)
            throws Exception {
        return JobOperators.byUid(job(), uid);
    }

    /** A snapshot of the operator {@code uid} after the watermark reached {@code watermark}. */
    private static OperatorSubtaskState reached(String uid, long watermark) throws Exception {
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<String, VideoView, Object>(
                        ViewCounterTest.<Object>jobOperator(uid),
                        VideoView::eventId,
                        Types.STRING)) {
            h.open();
            h.processWatermark(watermark);
            return h.snapshot(1, 1);
        }
    }

    @Test
    void aViewThreeHoursLateRightAfterARestoreIsLedgeredAsLate() throws Exception {
        OperatorSubtaskState snapshot = reached("count-views-per-hour", 5 * HOUR);
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<String, VideoView, TableRow>(
                        ViewCounterTest.<TableRow>jobOperator("count-views-per-hour"),
                        VideoView::videoId,
                        Types.STRING)) {
            h.setup();
            h.initializeState(snapshot);
            h.open();
            h.processElement(
                    new StreamRecord<>(
                            view("late", 2 * HOUR + 1_000, 45, true),
                            2 * HOUR + 1_000)); // before any new watermark
            List<String> out =
                    h.extractOutputValues().stream()
                            .map(
                                    r ->
                                            r.table().equals("public.view_ledger")
                                                    ? "ledger "
                                                            + r.value(0)
                                                            + "|"
                                                            + r.value(6)
                                                            + "|"
                                                            + r.value(7)
                                                    : r.table()
                                                            + " "
                                                            + r.value(2)
                                                            + "/"
                                                            + r.value(3))
                            .collect(Collectors.toList());
            assertEquals(
                    List.of("ledger late|false|late"),
                    out,
                    "its hour closed before the failure: not billed, and no restarted hourly count");
        }
    }

    @Test
    void theDedupHorizonAfterARestoreIsMeasuredFromTheRestoredWatermark() throws Exception {
        OperatorSubtaskState snapshot = reached("dedup-by-event-id", 30 * HOUR);
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<String, VideoView, VideoView>(
                        ViewCounterTest.<VideoView>jobOperator("dedup-by-event-id"),
                        VideoView::eventId,
                        Types.STRING)) {
            h.setup();
            h.initializeState(snapshot);
            h.open();
            // first seen right after the restore; its event time + 24 h is already behind the
            // watermark
            h.processElement(new StreamRecord<>(view("x", 5 * HOUR, 45, true), 5 * HOUR));
            h.processWatermark(31 * HOUR);
            h.processElement(new StreamRecord<>(view("x", 5 * HOUR, 45, true), 5 * HOUR)); // a copy
            assertEquals(1, h.extractOutputValues().size());
            assertEquals(
                    1,
                    h.getSideOutput(DUPLICATES).size(),
                    "ledgered as a duplicate, never counted twice");
        }
    }

    /**
     * A drain ends the input, not the hour: a job resumed from the drained savepoint keeps counting
     * the open hour from where it was (video_views_1h only grows, so a restarted count would be
     * refused and the hour would disagree with its ledger).
     */
    @Test
    void aDrainKeepsTheOpenHoursCountForAJobResumedFromIt() throws Exception {
        OperatorSubtaskState drained;
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<String, VideoView, TableRow>(
                        ViewCounterTest.<TableRow>jobOperator("count-views-per-hour"),
                        VideoView::videoId,
                        Types.STRING)) {
            h.open();
            h.processElement(new StreamRecord<>(view("a", 1_000, 45, true), 1_000));
            h.processWatermark(2_000);
            h.processWatermark(Long.MAX_VALUE); // stop --drain
            h.endInput();
            drained = h.snapshot(1, 1);
        }
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<String, VideoView, TableRow>(
                        ViewCounterTest.<TableRow>jobOperator("count-views-per-hour"),
                        VideoView::videoId,
                        Types.STRING)) {
            h.setup();
            h.initializeState(drained);
            h.open();
            h.processElement(new StreamRecord<>(view("b", 3_000, 45, true), 3_000));
            List<String> hourly =
                    h.extractOutputValues().stream()
                            .filter(r -> r.table().equals("public.video_views_1h"))
                            .map(r -> r.value(2) + "/" + r.value(3))
                            .collect(Collectors.toList());
            assertEquals(List.of("2/2"), hourly, "the hour goes on from 1 view, not from 0");
        }
    }
}
