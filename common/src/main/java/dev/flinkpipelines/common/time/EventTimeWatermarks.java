package dev.flinkpipelines.common.time;

import dev.flinkpipelines.common.deadletter.DeadLetter;
import dev.flinkpipelines.common.events.TimestampedEvent;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.types.Either;

/**
 * The suite's watermark strategy: event time from the payload, bounded out-of-orderness, and
 * idleness so a quiet Kafka partition does not hold every window back. Dead letters carry no
 * trustworthy event time: they keep their Kafka timestamp but never move the watermark.
 */
public final class EventTimeWatermarks {

    private EventTimeWatermarks() {}

    public static <T extends TimestampedEvent>
            WatermarkStrategy<Either<DeadLetter, T>> forParsedRecords(
                    Duration maxOutOfOrderness, Duration idleness) {
        WatermarkStrategy<Either<DeadLetter, T>> strategy =
                WatermarkStrategy.<Either<DeadLetter, T>>forGenerator(
                                ctx ->
                                        new ValidEventsOnly<>(
                                                new BoundedOutOfOrdernessWatermarks<>(
                                                        maxOutOfOrderness)))
                        .withTimestampAssigner(
                                (record, kafkaTimestamp) ->
                                        record.isRight()
                                                ? record.right().eventTimeMillis()
                                                : kafkaTimestamp);
        return idleness.isZero() ? strategy : strategy.withIdleness(idleness);
    }

    /** Lets only valid events drive the wrapped generator. */
    static final class ValidEventsOnly<T> implements WatermarkGenerator<Either<DeadLetter, T>> {
        private final WatermarkGenerator<Either<DeadLetter, T>> delegate;

        ValidEventsOnly(WatermarkGenerator<Either<DeadLetter, T>> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void onEvent(
                Either<DeadLetter, T> event, long eventTimestamp, WatermarkOutput output) {
            if (event.isRight()) {
                delegate.onEvent(event, eventTimestamp, output);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            delegate.onPeriodicEmit(output);
        }
    }
}
