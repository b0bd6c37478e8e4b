package dev.flinkpipelines.common.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import dev.flinkpipelines.common.time.CheckpointedWatermark;
import dev.flinkpipelines.common.time.EventTimeProcessOperator;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/** The deduplicator in Flink's keyed operator test harness: state, timers, watermarks, restore. */
class EventTimeDeduplicatorTest {

    private static final OutputTag<UserEvent> DUPLICATES =
            new OutputTag<>("dups", Types.POJO(UserEvent.class)) {};
    private static final long MINUTE = 60_000;

    /** The key is the offset here, standing in for an event id; the user id tells copies apart. */
    private static UserEvent copy(long id, int copy, long eventTime) {
        return new UserEvent(copy, 1, "click", eventTime, new SourceCoordinates("t", 0, id));
    }

    /** As the jobs run it: in the operator that keeps its watermark across restores. */
    private static KeyedOneInputStreamOperatorTestHarness<Long, UserEvent, UserEvent> harness()
            throws Exception {
        return harness(null);
    }

    private static KeyedOneInputStreamOperatorTestHarness<Long, UserEvent, UserEvent> harness(
            OperatorSubtaskState restoreFrom) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<Long, UserEvent, UserEvent> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new EventTimeProcessOperator<>(
                                new EventTimeDeduplicator<Long, UserEvent>(
                                        Duration.ofMinutes(5), DUPLICATES),
                                CheckpointedWatermark.EndOfInput.KEEP_STATE),
                        e -> e.source().offset(),
                        Types.LONG);
        h.setup();
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    private static List<Integer> passed(
            KeyedOneInputStreamOperatorTestHarness<Long, UserEvent, UserEvent> h) {
        return h.extractOutputValues().stream().map(UserEvent::userId).collect(Collectors.toList());
    }

    private static List<Integer> dropped(
            KeyedOneInputStreamOperatorTestHarness<Long, UserEvent, UserEvent> h) {
        var side = h.getSideOutput(DUPLICATES);
        return side == null
                ? List.of()
                : side.stream().map(r -> r.getValue().userId()).collect(Collectors.toList());
    }

    @Test
    void firstCopyPassesLaterCopiesAreDroppedUntilTheHorizonPasses() throws Exception {
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(copy(7, 1, 10 * MINUTE), 10 * MINUTE));
            h.processElement(new StreamRecord<>(copy(7, 2, 10 * MINUTE), 10 * MINUTE));
            h.processWatermark(15 * MINUTE - 1); // one millisecond before the horizon
            h.processElement(new StreamRecord<>(copy(7, 3, 10 * MINUTE), 10 * MINUTE));
            assertEquals(List.of(1), passed(h));
            assertEquals(List.of(2, 3), dropped(h));
            assertEquals(1, h.numKeyedStateEntries(), "the id is remembered");

            h.processWatermark(15 * MINUTE); // exactly at the horizon: forgotten
            assertEquals(0, h.numKeyedStateEntries(), "state is bounded: the id is forgotten");
            h.processElement(new StreamRecord<>(copy(7, 4, 10 * MINUTE), 10 * MINUTE));
            assertEquals(List.of(1, 4), passed(h), "beyond the horizon a copy passes as new");
        }
    }

    @Test
    void aLateFirstCopyIsRememberedForTheHorizonFromWhenItWasSeen() throws Exception {
        try (var h = harness()) {
            h.processWatermark(60 * MINUTE);
            // event time far behind the watermark: remembered until watermark 65 min, not 15
            h.processElement(new StreamRecord<>(copy(9, 1, 10 * MINUTE), 10 * MINUTE));
            h.processWatermark(64 * MINUTE);
            h.processElement(new StreamRecord<>(copy(9, 2, 10 * MINUTE), 10 * MINUTE));
            assertEquals(List.of(1), passed(h));
            assertEquals(List.of(2), dropped(h));
        }
    }

    @Test
    void aCopyArrivingAfterARestoreIsStillDropped() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(copy(3, 1, MINUTE), MINUTE));
            snapshot = h.snapshot(1, 1);
        }
        try (var restored = harness(snapshot)) {
            restored.processElement(new StreamRecord<>(copy(3, 2, MINUTE), MINUTE));
            assertEquals(List.of(), passed(restored));
            assertEquals(List.of(2), dropped(restored));
        }
    }

    /**
     * The first copy of a late event arrives after a restore, before any new watermark: it is
     * remembered for the horizon from the watermark reached before the failure, not from its own
     * event time (which plus the horizon is already behind that watermark), so its resend is
     * dropped.
     */
    @Test
    void afterARestoreTheHorizonIsMeasuredFromTheRestoredWatermark() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(copy(1, 1, 59 * MINUTE), 59 * MINUTE));
            h.processWatermark(60 * MINUTE);
            snapshot = h.snapshot(1, 1);
        }
        try (var restored = harness(snapshot)) {
            restored.processElement(
                    new StreamRecord<>(copy(9, 1, 50 * MINUTE), 50 * MINUTE)); // 10 minutes late
            restored.processWatermark(30 * MINUTE); // the restarted source starts low again
            restored.processWatermark(61 * MINUTE);
            restored.processElement(
                    new StreamRecord<>(copy(9, 2, 50 * MINUTE), 50 * MINUTE)); // its resend
            assertEquals(List.of(1), passed(restored));
            assertEquals(List.of(2), dropped(restored));

            restored.processWatermark(65 * MINUTE); // 60 + 5 min: now it may go
            assertEquals(0, restored.numKeyedStateEntries());
        }
    }

    /**
     * A drain ends the input, not event time: the ids stay, and a job resumed from it drops their
     * resends.
     */
    @Test
    void aDrainForgetsNoIdSoAJobResumedFromItStillDropsResends() throws Exception {
        OperatorSubtaskState drained;
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(copy(5, 1, MINUTE), MINUTE));
            h.processWatermark(MINUTE);
            h.processWatermark(Long.MAX_VALUE); // stop --drain
            h.endInput();
            assertEquals(1, h.numKeyedStateEntries(), "the id is still remembered");
            drained = h.snapshot(1, 1);
        }
        try (var resumed = harness(drained)) {
            resumed.processElement(new StreamRecord<>(copy(5, 2, MINUTE), MINUTE));
            assertEquals(List.of(), passed(resumed));
            assertEquals(List.of(2), dropped(resumed));
        }
    }
}
