package dev.flinkpipelines.jobs.orders;

import dev.flinkpipelines.common.deadletter.DeadLetterRows;
import dev.flinkpipelines.common.dedup.EventTimeDeduplicator;
import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.kafka.KafkaClientConfig;
import dev.flinkpipelines.common.kafka.ParsedSource;
import dev.flinkpipelines.common.options.CommandLine;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.Flag;
import dev.flinkpipelines.common.options.JobMain;
import dev.flinkpipelines.common.options.RegisteredJob;
import dev.flinkpipelines.common.options.StreamingJob;
import dev.flinkpipelines.common.parse.OrderEventParser;
import dev.flinkpipelines.common.postgres.TableOutput;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableRowTypeInfo;
import dev.flinkpipelines.common.postgres.TableSink;
import dev.flinkpipelines.common.postgres.TableSpec;
import dev.flinkpipelines.common.time.CheckpointedWatermark;
import dev.flinkpipelines.common.time.EventTimeProcessOperator;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Reads {@code events_raw}; validates every field; drops copies of an event id within the dedup
 * horizon; writes clean events to PostgreSQL {@code events_clean} (with the rejected records in
 * {@code dead_letters}, seen as {@code invalid_events}) and to the Kafka topic {@code events_clean}
 * for the kpi job — both exactly once.
 */
public final class OrdersJob {

    public static final String NAME = "orders";

    static final Flag<String> INPUT_TOPIC = CommonFlags.inputTopic("events_raw");
    static final Flag<String> OUTPUT_TOPIC =
            Flag.string(
                    "output-topic",
                    "events_clean",
                    "Kafka topic for clean events (written exactly once, read with read_committed)");
    static final Flag<Duration> DEDUP_HORIZON =
            Flag.duration(
                    "dedup-horizon",
                    Duration.ofMinutes(5),
                    Duration.ofSeconds(1),
                    "how long (event time) an event id is remembered to drop its copies");

    /** Idempotent: the event id is the primary key. */
    static final TableSpec EVENTS_CLEAN =
            TableSpec.appendIgnoringDuplicates(
                    "events_clean",
                    "id",
                    "event_time",
                    "event_type",
                    "order_id",
                    "user_id",
                    "amount",
                    "currency",
                    "status",
                    "kafka_partition",
                    "kafka_offset");

    /** Below the broker's 15 min ceiling (transaction.max.timeout.ms), above any checkpoint. */
    static final Duration KAFKA_TRANSACTION_TIMEOUT = Duration.ofMinutes(10);

    private OrdersJob() {}

    public static CommandLine commandLine() {
        return CommonFlags.forJob(
                        NAME,
                        "Order/payment events: Kafka events_raw -> validated, deduplicated ->"
                                + " PostgreSQL events_clean (+ dead_letters / invalid_events) and Kafka events_clean, exactly once.")
                .add(INPUT_TOPIC, OUTPUT_TOPIC, DEDUP_HORIZON);
    }

    public static void main(String[] args) {
        JobMain.run(args, JOB);
    }

    /** The job as {@code flink run} and the demo see it. */
    public static final StreamingJob JOB =
            StreamingJob.of(
                    NAME,
                    OrdersJob::commandLine,
                    args -> List.of(args.get(INPUT_TOPIC), args.get(OUTPUT_TOPIC)),
                    List.of("events_clean", DeadLetterRows.TABLE_NAME),
                    OrdersJob::build);

    /** Lists the job for the tools that run every job ({@link RegisteredJob#all()}). */
    public static final class Registration extends RegisteredJob {
        public Registration() {
            super(JOB);
        }
    }

    /**
     * How the exactly-once Kafka writer names its transactions: the connector's default,
     * INCREMENTING. It finds a restarted writer's lingering transactions by probing (a blocking
     * initTransactions() per guessed id), which keeps the writer INITIALIZING for seconds after a
     * restart while the broker is slow (README "Reliability"). POOLING would list them instead, but
     * in flink-connector-kafka 5.0.0-2.2 its writer never closes the AdminClient it lists them
     * with: every restart leaked a client thread that pins the job's class loader, and a fault
     * run's TaskManagers ran out of metaspace (measured with e2e/FaultInjectionIT; see README).
     */
    static final TransactionNamingStrategy KAFKA_TRANSACTION_NAMING =
            TransactionNamingStrategy.INCREMENTING;

    /** What the pipeline produces: rows for PostgreSQL, and the clean events for Kafka. */
    public record Output(TableOutput tables, DataStream<OrderEvent> clean) {}

    /**
     * The job's real ends: its Kafka topic in; its tables out through {@code tables}, its clean
     * events to Kafka exactly once.
     */
    static void build(StreamExecutionEnvironment env, ParsedArgs args, TableSink tables) {
        write(pipeline(input(env, args), args.get(DEDUP_HORIZON)), args, tables);
    }

    /** The job's input: its topic, parsed. */
    static ParsedSource<OrderEvent> input(StreamExecutionEnvironment env, ParsedArgs args) {
        return ParsedSource.fromKafka(
                env, args, NAME, INPUT_TOPIC, new OrderEventParser(), OrderEvent.class);
    }

    /** The pipeline's output to its ends: {@code tables}, and the Kafka topic exactly once. */
    static void write(Output output, ParsedArgs args, TableSink tables) {
        tables.write(output.tables());
        output.clean()
                .sinkTo(cleanEventsSink(args))
                .uid("kafka-events-clean")
                .name("Kafka " + args.get(OUTPUT_TOPIC) + " (exactly once)");
    }

    /**
     * The job between its ends: parsed order events (and their dead letters) in; {@code
     * events_clean} and {@code dead_letters} rows, and the clean events, out.
     */
    public static Output pipeline(ParsedSource<OrderEvent> input, Duration dedupHorizon) {
        // KeyedStream#process's operator, keeping its watermark across restores (dedup expiry)
        DataStream<OrderEvent> clean =
                input.events()
                        .keyBy(OrderEvent::id, Types.STRING)
                        .transform(
                                "Drop duplicate event ids",
                                TypeInformation.of(OrderEvent.class),
                                new EventTimeProcessOperator<>(
                                        new EventTimeDeduplicator<String, OrderEvent>(
                                                dedupHorizon, null),
                                        CheckpointedWatermark.EndOfInput.KEEP_STATE))
                        .uid("dedup-by-id")
                        .name("Drop duplicate event ids");
        DataStream<TableRow> rows =
                clean.map(OrdersJob::toRow)
                        .returns(TableRowTypeInfo.INSTANCE)
                        .name("To events_clean rows")
                        .union(input.deadLetters());
        return new Output(TableOutput.of(rows, List.of(EVENTS_CLEAN, DeadLetterRows.TABLE)), clean);
    }

    /** The transactional Kafka writer of the clean events. */
    static KafkaSink<OrderEvent> cleanEventsSink(ParsedArgs args) {
        KafkaClientConfig kafka = KafkaClientConfig.from(args);
        Properties producer = new Properties();
        producer.putAll(kafka.properties());
        // a user's transaction.timeout.ms (within the broker's maximum) wins over the job's default
        producer.putIfAbsent(
                "transaction.timeout.ms", String.valueOf(KAFKA_TRANSACTION_TIMEOUT.toMillis()));
        return KafkaSink.<OrderEvent>builder()
                // first: merged into the builder's config, which the settings below then complete
                .setKafkaProducerConfig(producer)
                .setBootstrapServers(kafka.bootstrapServers())
                .setRecordSerializer(new CleanEventSerializer(args.get(OUTPUT_TOPIC)))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                // one prefix per job and output: a restarted job finds and aborts its own
                // lingering transactions
                .setTransactionalIdPrefix(NAME + "-" + args.get(OUTPUT_TOPIC))
                .setTransactionNamingStrategy(KAFKA_TRANSACTION_NAMING)
                .build();
    }

    static TableRow toRow(OrderEvent e) {
        return TableRow.of(
                EVENTS_CLEAN.name(),
                e.id(),
                e.eventTime(),
                e.eventType().name().toLowerCase(Locale.ROOT),
                e.orderId(),
                e.userId(),
                e.amount(),
                e.currency().name(),
                e.status().name().toLowerCase(Locale.ROOT),
                e.source().partition(),
                e.source().offset());
    }
}
