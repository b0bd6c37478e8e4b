package dev.flinkpipelines.jobs.userevents;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.testkit.JobOperators;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * The job's movie_activity_1m window operator (uid {@code movie-activity-1m}, 1 minute allowed
 * lateness) in Flink's keyed operator test harness: a snapshot and a new harness initialised from
 * it is a restore.
 */
class MovieActivityWindowTest {

    /** Equal to the job's tag (output tags are equal by id). */
    private static final OutputTag<UserEvent> TOO_LATE =
            new OutputTag<>("too-late", Types.POJO(UserEvent.class)) {};

    private static OneInputStreamOperator<UserEvent, TableRow> jobWindow() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        UserEventsJob.JOB.build(
                env, UserEventsJob.commandLine().parse(new String[] {"--allowed-lateness", "1m"}));
        return JobOperators.byUid(env, "movie-activity-1m");
    }

    private static KeyedOneInputStreamOperatorTestHarness<
                    Tuple2<Integer, String>, UserEvent, TableRow>
            harness(OperatorSubtaskState restoreFrom) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        jobWindow(),
                        MovieActivityWindow::key,
                        Types.TUPLE(Types.INT, Types.STRING));
        h.setup();
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    private static long at(String time) {
        return Instant.parse("2025-01-01T" + time + "Z").toEpochMilli();
    }

    private static void click(
            KeyedOneInputStreamOperatorTestHarness<?, UserEvent, TableRow> h, int user, String time)
            throws Exception {
        h.processElement(
                new StreamRecord<>(
                        new UserEvent(
                                user,
                                1,
                                "click",
                                at(time),
                                new SourceCoordinates("user-events", 0, user)),
                        at(time)));
    }

    /** Rows as "window start|count". */
    private static List<String> rows(
            KeyedOneInputStreamOperatorTestHarness<?, UserEvent, TableRow> h) {
        return h.extractOutputValues().stream()
                .map(r -> r.value(0) + "|" + r.value(4))
                .collect(Collectors.toList());
    }

    @Test
    void aVeryLateEventAfterARestoreDoesNotReopenAFiredAndPurgedWindow() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(null)) {
            click(h, 1, "10:00:10");
            click(h, 2, "10:00:20");
            h.processWatermark(at("10:02:00")); // fired, and past the allowed lateness: purged
            assertEquals(List.of("2025-01-01T10:00:00Z|2"), rows(h));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(snapshot)) {
            click(h, 3, "10:00:30"); // very late, before any new watermark
            h.processWatermark(at("10:03:00"));
            assertEquals(
                    List.of(),
                    rows(h),
                    "a row with count 1 would replace the count of 2 in the upsert table");
            assertEquals(
                    List.of(3),
                    h.getSideOutput(TOO_LATE).stream()
                            .map(r -> r.getValue().userId())
                            .collect(Collectors.toList()),
                    "counted in lateRecords");
        }
    }

    @Test
    void endOfInputFiresTheWindowsStillOpen() throws Exception {
        try (var h = harness(null)) {
            click(h, 1, "10:00:10");
            click(h, 2, "10:01:10");
            h.processWatermark(at("10:01:05"));
            assertEquals(List.of("2025-01-01T10:00:00Z|1"), rows(h));
            h.endInput(); // drain or end of input, with the final watermark lost to idleness
            assertEquals(List.of("2025-01-01T10:00:00Z|1", "2025-01-01T10:01:00Z|1"), rows(h));
        }
    }
}
