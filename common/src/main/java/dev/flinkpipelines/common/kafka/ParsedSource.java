package dev.flinkpipelines.common.kafka;

import dev.flinkpipelines.common.deadletter.DeadLetter;
import dev.flinkpipelines.common.deadletter.DeadLetterRouter;
import dev.flinkpipelines.common.events.TimestampedEvent;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.Flag;
import dev.flinkpipelines.common.parse.RecordParser;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.time.EventTimeWatermarks;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

/**
 * One Kafka topic read the suite's way: parsed in the source, event-time watermarks per partition,
 * then split into valid events and {@code dead_letters} rows.
 *
 * <p>Operator uids derive from the input's name — its topic flag's default, the contract's topic —
 * not from the topic the flag names in this run, so pointing a job at a renamed topic does not
 * orphan its source state (and the uids are those of every earlier release, which derived them from
 * the topic when it was the default one). Kafka's source keeps the partitions its state holds: a
 * job resumed from a savepoint with another topic also finishes reading the old one's partitions.
 */
public final class ParsedSource<T> {

    private final DataStream<T> events;
    private final DataStream<TableRow> deadLetters;

    private ParsedSource(DataStream<T> events, DataStream<TableRow> deadLetters) {
        this.events = events;
        this.deadLetters = deadLetters;
    }

    public static <T extends TimestampedEvent> ParsedSource<T> fromKafka(
            StreamExecutionEnvironment env,
            ParsedArgs args,
            String jobName,
            Flag<String> topic,
            RecordParser<T> parser,
            Class<T> type) {
        return fromKafka(env, args, jobName, topic, parser, type, -1);
    }

    /**
     * As above, read by {@code readers} subtasks ({@code -1}: the job's parallelism). For a topic
     * with fewer partitions than the job has subtasks: a reader without a partition holds the
     * watermark back until {@code --source-idle-timeout} marks it idle — after the start and again
     * after every restart — so a low-volume one-partition topic is best read by one reader.
     */
    public static <T extends TimestampedEvent> ParsedSource<T> fromKafka(
            StreamExecutionEnvironment env,
            ParsedArgs args,
            String jobName,
            Flag<String> topicFlag,
            RecordParser<T> parser,
            Class<T> type,
            int readers) {
        TypeInformation<T> eventType = TypeInformation.of(type);
        String topic = args.get(topicFlag);
        String input = topicFlag.defaultValue();
        SingleOutputStreamOperator<Either<DeadLetter, T>> records =
                env.fromSource(
                                KafkaSources.parsing(args, jobName, topic, parser, eventType),
                                EventTimeWatermarks.forParsedRecords(
                                        args.get(CommonFlags.MAX_OUT_OF_ORDERNESS),
                                        args.get(CommonFlags.SOURCE_IDLE_TIMEOUT)),
                                "Kafka " + topic)
                        .uid("source-" + input);
        if (readers > 0) {
            // the same parallelism keeps validation chained to its reader
            records.setParallelism(readers);
        }
        return split(records, jobName, input, topic, eventType, readers);
    }

    /**
     * Parsed records from any source — Kafka when the job runs, a list in the pipeline tests —
     * split by the same validation step, under the same uid.
     *
     * @param input the input's name in uids: the contract's topic name
     * @param topic the topic read in this run, in the operator's name
     */
    public static <T> ParsedSource<T> of(
            DataStream<Either<DeadLetter, T>> records,
            String jobName,
            String input,
            String topic,
            TypeInformation<T> eventType) {
        return split(records, jobName, input, topic, eventType, -1);
    }

    private static <T> ParsedSource<T> split(
            DataStream<Either<DeadLetter, T>> records,
            String jobName,
            String input,
            String topic,
            TypeInformation<T> eventType,
            int readers) {
        SingleOutputStreamOperator<T> valid =
                records.process(new DeadLetterRouter<T>(jobName))
                        .returns(eventType)
                        .uid("validate-" + input)
                        .name("Validate " + topic);
        if (readers > 0) {
            valid.setParallelism(readers);
        }
        return new ParsedSource<>(valid, valid.getSideOutput(DeadLetterRouter.DEAD_LETTERS));
    }

    /**
     * The same input with {@code change} applied to its valid events: how a test injects a failure
     * into a running pipeline.
     */
    public ParsedSource<T> mapEvents(UnaryOperator<DataStream<T>> change) {
        return new ParsedSource<>(change.apply(events), deadLetters);
    }

    /** Valid events, with event-time timestamps. */
    public DataStream<T> events() {
        return events;
    }

    /** Rejected records as {@code dead_letters} rows, for the job's exactly-once sink. */
    public DataStream<TableRow> deadLetters() {
        return deadLetters;
    }
}
