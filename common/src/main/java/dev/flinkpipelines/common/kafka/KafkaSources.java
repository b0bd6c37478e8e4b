package dev.flinkpipelines.common.kafka;

import dev.flinkpipelines.common.deadletter.DeadLetter;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.parse.RecordParser;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/** Builds the Kafka sources of every job the same way, from the shared flags. */
public final class KafkaSources {

    private KafkaSources() {}

    /**
     * A source of parsed records: each Kafka record becomes a valid event or a dead letter (never
     * an exception), with its topic/partition/offset. Reads only committed records of transactional
     * producers, so an upstream exactly-once job's aborted writes never count.
     */
    public static <T> KafkaSource<Either<DeadLetter, T>> parsing(
            ParsedArgs args,
            String jobName,
            String topic,
            RecordParser<T> parser,
            TypeInformation<T> eventType) {
        KafkaClientConfig kafka = KafkaClientConfig.from(args);
        KafkaSourceBuilder<Either<DeadLetter, T>> builder =
                KafkaSource.<Either<DeadLetter, T>>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setTopics(topic)
                        .setGroupId(groupId(args, jobName))
                        .setStartingOffsets(startingOffsets(args.get(CommonFlags.STARTING_OFFSETS)))
                        .setDeserializer(new ParsingDeserializationSchema<>(parser, eventType))
                        .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                        // new partitions of a growing topic are picked up without a restart
                        .setProperty("partition.discovery.interval.ms", "60000")
                        .setProperty(ConsumerConfig.CLIENT_ID_CONFIG, jobName + "-source")
                        // offsets in Kafka are for monitoring lag; the truth is in Flink's
                        // checkpoints
                        .setProperty("commit.offsets.on.checkpoint", "true");
        // the user's client properties last: security settings, and tuning of the above if wanted
        kafka.properties().forEach(builder::setProperty);
        if (args.get(CommonFlags.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    public static String groupId(ParsedArgs args, String jobName) {
        String groupId = args.get(CommonFlags.GROUP_ID);
        return groupId != null ? groupId : jobName;
    }

    static OffsetsInitializer startingOffsets(CommonFlags.StartingOffsets choice) {
        switch (choice) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            default:
                return OffsetsInitializer.committedOffsets(
                        org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST);
        }
    }
}
