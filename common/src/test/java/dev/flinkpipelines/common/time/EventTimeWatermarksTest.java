package dev.flinkpipelines.common.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.deadletter.DeadLetter;
import dev.flinkpipelines.common.deadletter.ErrorCode;
import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

class EventTimeWatermarksTest {

    private final WatermarkStrategy<Either<DeadLetter, UserEvent>> strategy =
            EventTimeWatermarks.forParsedRecords(Duration.ofSeconds(5), Duration.ZERO);

    private static Either<DeadLetter, UserEvent> event(long ts) {
        return Either.Right(new UserEvent(1, 2, "click", ts, new SourceCoordinates("t", 0, ts)));
    }

    private static Either<DeadLetter, UserEvent> deadLetter() {
        return Either.Left(
                new DeadLetter(
                        new SourceCoordinates("t", 0, 9),
                        new byte[] {1},
                        ErrorCode.NOT_JSON,
                        "x",
                        null,
                        Instant.EPOCH));
    }

    @Test
    void eventTimeComesFromThePayloadAndDeadLettersKeepTheKafkaTimestamp() {
        TimestampAssigner<Either<DeadLetter, UserEvent>> assigner =
                strategy.createTimestampAssigner(() -> new UnregisteredMetricsGroup());
        assertEquals(1_000_000L, assigner.extractTimestamp(event(1_000_000L), 77L));
        assertEquals(77L, assigner.extractTimestamp(deadLetter(), 77L));
    }

    @Test
    void watermarkTrailsTheLargestEventTimeByTheBoundAndIgnoresDeadLetters() {
        WatermarkGenerator<Either<DeadLetter, UserEvent>> generator =
                strategy.createWatermarkGenerator(
                        new WatermarkGeneratorSupplier.Context() {
                            public org.apache.flink.metrics.MetricGroup getMetricGroup() {
                                return new UnregisteredMetricsGroup();
                            }

                            public org.apache.flink.util.clock.RelativeClock
                                    getInputActivityClock() {
                                return org.apache.flink.util.clock.SystemClock.getInstance();
                            }
                        });
        List<Long> emitted = new ArrayList<>();
        WatermarkOutput out =
                new WatermarkOutput() {
                    public void emitWatermark(Watermark w) {
                        emitted.add(w.getTimestamp());
                    }

                    public void markIdle() {}

                    public void markActive() {}
                };
        generator.onEvent(event(100_000L), 100_000L, out);
        generator.onEvent(event(90_000L), 90_000L, out); // out of order: no regression
        // a dead letter far in the future (its Kafka timestamp) must not push event time ahead
        generator.onEvent(deadLetter(), 999_999_999L, out);
        generator.onPeriodicEmit(out);
        assertEquals(List.of(100_000L - 5_000L - 1), emitted);
    }
}
