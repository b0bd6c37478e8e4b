package dev.flinkpipelines.common.kafka;

import dev.flinkpipelines.common.deadletter.DeadLetter;
import dev.flinkpipelines.common.deadletter.ErrorCode;
import dev.flinkpipelines.common.parse.InvalidRecordException;
import dev.flinkpipelines.common.parse.JsonRecord;
import dev.flinkpipelines.common.parse.RecordParser;
import java.time.Clock;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.RecordBatch;

/**
 * Kafka deserialization that never throws: each record becomes exactly one output, either the
 * parsed event ({@code Right}) or a {@link DeadLetter} ({@code Left}) with its coordinates, raw
 * bytes, error code and reason. Parsing here, in the source, lets watermarks be generated per Kafka
 * partition from event time.
 */
public final class ParsingDeserializationSchema<T>
        implements KafkaRecordDeserializationSchema<Either<DeadLetter, T>> {

    private static final long serialVersionUID = 1L;

    private final RecordParser<T> parser;
    private final TypeInformation<T> eventType;
    private final Clock clock;

    public ParsingDeserializationSchema(RecordParser<T> parser, TypeInformation<T> eventType) {
        this(parser, eventType, Clock.systemUTC());
    }

    ParsingDeserializationSchema(
            RecordParser<T> parser, TypeInformation<T> eventType, Clock clock) {
        this.parser = parser;
        this.eventType = eventType;
        this.clock = clock;
    }

    @Override
    public void deserialize(
            ConsumerRecord<byte[], byte[]> record, Collector<Either<DeadLetter, T>> out) {
        out.collect(parse(record));
    }

    /** The pure part: one Kafka record in, one result out, whatever the bytes. */
    public Either<DeadLetter, T> parse(ConsumerRecord<byte[], byte[]> record) {
        SourceCoordinates source =
                new SourceCoordinates(record.topic(), record.partition(), record.offset());
        byte[] value = record.value();
        try {
            return Either.Right(parser.parse(JsonRecord.parse(value), source));
        } catch (InvalidRecordException e) {
            return Either.Left(deadLetter(record, source, e.code(), e.getMessage()));
        } catch (RuntimeException | StackOverflowError e) {
            // a parser bug or a pathological input must not stop the job; keep the record
            return Either.Left(
                    deadLetter(
                            record,
                            source,
                            ErrorCode.INTERNAL_ERROR,
                            "unexpected "
                                    + e.getClass().getSimpleName()
                                    + " while parsing: "
                                    + e.getMessage()));
        }
    }

    private DeadLetter deadLetter(
            ConsumerRecord<byte[], byte[]> record,
            SourceCoordinates source,
            ErrorCode code,
            String reason) {
        Instant kafkaTimestamp =
                record.timestamp() == RecordBatch.NO_TIMESTAMP
                        ? null
                        : Instant.ofEpochMilli(record.timestamp());
        return new DeadLetter(
                source,
                record.value() == null ? new byte[0] : record.value(),
                code,
                reason,
                kafkaTimestamp,
                clock.instant());
    }

    @Override
    public TypeInformation<Either<DeadLetter, T>> getProducedType() {
        return new EitherTypeInfo<>(TypeInformation.of(DeadLetter.class), eventType);
    }
}
