package dev.flinkpipelines.jobs.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import dev.flinkpipelines.testkit.JobOperators;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The job's dedup-by-id operator (5 minute horizon) in Flink's keyed harness, across a restore. */
class DedupByIdTest {

    private static final long MINUTE = 60_000;
    private static final String ID = "9b2f4a52-1c3e-4f7a-9d41-2f1f6f2b7c10";

    private static OneInputStreamOperator<OrderEvent, OrderEvent> jobDedup() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        OrdersJob.JOB.build(
                env, OrdersJob.commandLine().parse(new String[] {"--dedup-horizon", "5m"}));
        return JobOperators.byUid(env, "dedup-by-id");
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, OrderEvent, OrderEvent> harness(
            OperatorSubtaskState restoreFrom) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        jobDedup(), OrderEvent::id, Types.STRING);
        h.setup();
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    /** One copy of the event, told apart by its offset. */
    private static StreamRecord<OrderEvent> copy(String id, long offset, long eventTime) {
        return new StreamRecord<>(
                new OrderEvent(
                        id,
                        Instant.ofEpochMilli(eventTime),
                        OrderEvent.Type.PAYMENT_SUCCESS,
                        "ORD1",
                        "USR1",
                        new BigDecimal("10.00"),
                        OrderEvent.Currency.USD,
                        OrderEvent.Status.SUCCESS,
                        new SourceCoordinates("events_raw", 0, offset)),
                eventTime);
    }

    @Test
    void aLateEventFirstSeenRightAfterARestoreIsStillDeduplicatedAgainstItsResend()
            throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(null)) {
            h.processWatermark(60 * MINUTE);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(snapshot)) {
            h.processElement(copy(ID, 1, 50 * MINUTE)); // 10 minutes late, before any new watermark
            h.processWatermark(61 * MINUTE);
            h.processElement(copy(ID, 2, 50 * MINUTE)); // the producer's resend
            assertEquals(
                    List.of(1L),
                    h.extractOutputValues().stream()
                            .map(e -> e.source().offset())
                            .collect(Collectors.toList()),
                    "the kpi job would count a second copy on events_clean");
        }
    }
}
