package dev.flinkpipelines.jobs.kpi;

import dev.flinkpipelines.common.deadletter.DeadLetterRows;
import dev.flinkpipelines.common.events.OrderEvent;
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
import dev.flinkpipelines.common.time.EventTimeWindowOperator;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * Reads the clean order events the orders job publishes (committed records only), keeps 1-minute
 * event-time KPIs per currency incrementally, upserts them into {@code kpi_1m}, and keeps events
 * beyond the allowed lateness in {@code late_events}.
 */
public final class KpiJob {

    public static final String NAME = "kpi";

    static final Flag<String> INPUT_TOPIC = CommonFlags.inputTopic("events_clean");
    static final Flag<Duration> ALLOWED_LATENESS =
            Flag.duration(
                    "allowed-lateness",
                    Duration.ofMinutes(1),
                    Duration.ZERO,
                    "a late event within this updates its kpi_1m row; later ones go to late_events");

    private KpiJob() {}

    public static CommandLine commandLine() {
        return CommonFlags.forJob(
                        NAME,
                        "1-minute business KPIs per currency: Kafka events_clean (read_committed) ->"
                                + " PostgreSQL kpi_1m (upserted) and late_events, exactly once.")
                .add(INPUT_TOPIC, ALLOWED_LATENESS);
    }

    public static void main(String[] args) {
        JobMain.run(args, JOB);
    }

    /** The job as {@code flink run} and the demo see it. */
    public static final StreamingJob JOB =
            StreamingJob.of(
                    NAME,
                    KpiJob::commandLine,
                    args -> List.of(args.get(INPUT_TOPIC)),
                    List.of("kpi_1m", "late_events", DeadLetterRows.TABLE_NAME),
                    KpiJob::build);

    /** Lists the job for the tools that run every job ({@link RegisteredJob#all()}). */
    public static final class Registration extends RegisteredJob {
        public Registration() {
            super(JOB);
        }
    }

    /** The job's real ends: the clean-events topic in, its tables out through {@code tables}. */
    static void build(StreamExecutionEnvironment env, ParsedArgs args, TableSink tables) {
        tables.write(pipeline(input(env, args), args.get(ALLOWED_LATENESS)));
    }

    /** The job's input: the clean-events topic, parsed. */
    static ParsedSource<OrderEvent> input(StreamExecutionEnvironment env, ParsedArgs args) {
        return ParsedSource.fromKafka(
                env, args, NAME, INPUT_TOPIC, new OrderEventParser(), OrderEvent.class);
    }

    /**
     * The job between its ends: parsed clean order events (and dead letters) in; rows of {@code
     * kpi_1m}, {@code late_events} and {@code dead_letters} out.
     */
    public static TableOutput pipeline(ParsedSource<OrderEvent> input, Duration allowedLateness) {
        // Flink's window operator, keeping its watermark across restores and firing at end of input
        KeyedStream<OrderEvent, String> byCurrency =
                input.events().keyBy(e -> e.currency().name(), Types.STRING);
        SingleOutputStreamOperator<TableRow> kpis =
                byCurrency
                        .transform(
                                "KPIs per currency and minute",
                                TableRowTypeInfo.INSTANCE,
                                EventTimeWindowOperator.aggregate(
                                        byCurrency,
                                        TumblingEventTimeWindows.of(KpiWindows.SIZE),
                                        allowedLateness,
                                        KpiWindows.TOO_LATE,
                                        new KpiAggregate(),
                                        new KpiWindows.ToRow(),
                                        TypeInformation.of(KpiAccumulator.class)))
                        .uid("kpi-1m")
                        .name("KPIs per currency and minute");
        DataStream<TableRow> late =
                kpis.getSideOutput(KpiWindows.TOO_LATE)
                        .process(new KpiWindows.LateToRow())
                        .returns(TableRowTypeInfo.INSTANCE)
                        .uid("late-events")
                        .name("Events beyond allowed lateness");
        return TableOutput.of(
                kpis.union(late, input.deadLetters()),
                List.of(KpiRows.KPI_1M, KpiRows.LATE_EVENTS, DeadLetterRows.TABLE));
    }
}
