package dev.flinkpipelines.jobs.kpi;

import dev.flinkpipelines.common.deadletter.DeadLetterRows;
import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.kafka.ParsedSource;
import dev.flinkpipelines.common.options.CommandLine;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.Flag;
import dev.flinkpipelines.common.options.JobEnvironment;
import dev.flinkpipelines.common.options.JobMain;
import dev.flinkpipelines.common.options.StreamingJob;
import dev.flinkpipelines.common.parse.OrderEventParser;
import dev.flinkpipelines.common.postgres.ExactlyOncePostgresSink;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableRowTypeInfo;
import dev.flinkpipelines.common.time.EventTimeWindowOperator;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
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

    public static void build(StreamExecutionEnvironment env, ParsedArgs args) {
        build(env, args, UnaryOperator.identity());
    }

    /**
     * Wires the job; {@code afterValidation} lets a test inject a failure (the job passes the
     * identity).
     */
    static void build(
            StreamExecutionEnvironment env,
            ParsedArgs args,
            UnaryOperator<DataStream<OrderEvent>> afterValidation) {
        ParsedSource<OrderEvent> source =
                ParsedSource.fromKafka(
                        env, args, NAME, INPUT_TOPIC, new OrderEventParser(), OrderEvent.class);
        // Flink's window operator, keeping its watermark across restores and firing at end of input
        KeyedStream<OrderEvent, String> byCurrency =
                afterValidation
                        .apply(source.events())
                        .keyBy(e -> e.currency().name(), Types.STRING);
        SingleOutputStreamOperator<TableRow> kpis =
                byCurrency
                        .transform(
                                "KPIs per currency and minute",
                                TableRowTypeInfo.INSTANCE,
                                EventTimeWindowOperator.aggregate(
                                        byCurrency,
                                        TumblingEventTimeWindows.of(KpiWindows.SIZE),
                                        args.get(ALLOWED_LATENESS),
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

        ExactlyOncePostgresSink sink =
                ExactlyOncePostgresSink.builder(
                                JobEnvironment.sinkId(args, NAME), JobEnvironment.postgres(args))
                        .table(KpiRows.KPI_1M)
                        .table(KpiRows.LATE_EVENTS)
                        .table(DeadLetterRows.TABLE)
                        .build();
        kpis.union(late, source.deadLetters())
                .sinkTo(sink)
                .uid("postgres-sink")
                .name("PostgreSQL (exactly once)");
    }
}
