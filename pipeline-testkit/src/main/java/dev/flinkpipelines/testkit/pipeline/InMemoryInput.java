package dev.flinkpipelines.testkit.pipeline;

import dev.flinkpipelines.common.deadletter.DeadLetter;
import dev.flinkpipelines.common.events.TimestampedEvent;
import dev.flinkpipelines.common.kafka.ParsedSource;
import dev.flinkpipelines.common.kafka.ParsingDeserializationSchema;
import dev.flinkpipelines.common.parse.RecordParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A job's input from a list instead of Kafka, for the pipeline tests: the payloads as one partition
 * of {@code topic} would hold them (payload {@code i} at offset {@code i}, {@code null} a
 * tombstone), parsed by the job's own parser and split by the same validation step as in the job.
 *
 * <p>Where Kafka's source emits watermarks periodically, this emits one after every valid event
 * (the greatest event time so far minus {@code maxOutOfOrderness}, as the job's strategy computes
 * it): every record is judged against the watermark its predecessors set, so what is late is
 * decided by the list's order alone — the test's fixture, not its timing.
 */
public final class InMemoryInput {

    private InMemoryInput() {}

    /** Payloads as UTF-8 text; {@code null} a tombstone. */
    public static <T extends TimestampedEvent> ParsedSource<T> of(
            StreamExecutionEnvironment env,
            String jobName,
            String topic,
            RecordParser<T> parser,
            Class<T> type,
            Duration maxOutOfOrderness,
            List<String> payloads) {
        List<byte[]> values = new ArrayList<>();
        for (String p : payloads) {
            values.add(p == null ? null : p.getBytes(StandardCharsets.UTF_8));
        }
        return ofBytes(env, jobName, topic, parser, type, maxOutOfOrderness, values);
    }

    /** Payloads as bytes (e.g. not UTF-8); {@code null} a tombstone. */
    public static <T extends TimestampedEvent> ParsedSource<T> ofBytes(
            StreamExecutionEnvironment env,
            String jobName,
            String topic,
            RecordParser<T> parser,
            Class<T> type,
            Duration maxOutOfOrderness,
            List<byte[]> payloads) {
        ParsingDeserializationSchema<T> schema =
                new ParsingDeserializationSchema<>(parser, TypeInformation.of(type));
        ArrayList<byte[]> values = new ArrayList<>(payloads);
        List<Long> offsets = LongStream.range(0, values.size()).boxed().toList();
        DataStream<Either<DeadLetter, T>> records =
                env.fromData(offsets, Types.LONG)
                        .name("List " + topic)
                        .map(new ParseAt<>(topic, values, schema))
                        .returns(schema.getProducedType())
                        .name("Parse " + topic)
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Either<DeadLetter, T>>forGenerator(
                                                ctx -> new AfterEveryEvent<>(maxOutOfOrderness))
                                        .withTimestampAssigner(
                                                (record, previous) ->
                                                        record.isRight()
                                                                ? record.right().eventTimeMillis()
                                                                : previous))
                        .name("Watermark after every event");
        return ParsedSource.of(records, jobName, topic, topic, TypeInformation.of(type));
    }

    /** The record at an offset, parsed as the Kafka source parses it. */
    private static final class ParseAt<T> implements MapFunction<Long, Either<DeadLetter, T>> {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private final ArrayList<byte[]> values;
        private final ParsingDeserializationSchema<T> schema;

        ParseAt(String topic, ArrayList<byte[]> values, ParsingDeserializationSchema<T> schema) {
            this.topic = topic;
            this.values = values;
            this.schema = schema;
        }

        @Override
        public Either<DeadLetter, T> map(Long offset) {
            return schema.parse(
                    new ConsumerRecord<>(
                            topic, 0, offset, null, values.get(Math.toIntExact(offset))));
        }
    }

    private static final class AfterEveryEvent<T extends TimestampedEvent>
            implements WatermarkGenerator<Either<DeadLetter, T>> {
        private final long maxOutOfOrderness;
        private long greatest = Long.MIN_VALUE;

        AfterEveryEvent(Duration maxOutOfOrderness) {
            this.maxOutOfOrderness = maxOutOfOrderness.toMillis();
        }

        @Override
        public void onEvent(Either<DeadLetter, T> record, long timestamp, WatermarkOutput output) {
            if (record.isRight()) {
                greatest = Math.max(greatest, timestamp);
                // as Flink's BoundedOutOfOrdernessWatermarks: an event at the watermark is late
                output.emitWatermark(new Watermark(greatest - maxOutOfOrderness - 1));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {}
    }
}
