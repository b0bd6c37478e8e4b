package dev.flinkpipelines.jobs.userevents;

import dev.flinkpipelines.common.deadletter.DeadLetterRows;
import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.kafka.ParsedSource;
import dev.flinkpipelines.common.metrics.LateRecordCounter;
import dev.flinkpipelines.common.options.CommandLine;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.Flag;
import dev.flinkpipelines.common.options.JobMain;
import dev.flinkpipelines.common.options.RegisteredJob;
import dev.flinkpipelines.common.options.StreamingJob;
import dev.flinkpipelines.common.parse.UserEventParser;
import dev.flinkpipelines.common.postgres.TableOutput;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableRowTypeInfo;
import dev.flinkpipelines.common.postgres.TableSink;
import dev.flinkpipelines.common.time.EventTimeWindowOperator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;

/**
 * Reads {@code user-events}; writes every valid event to {@code user_events}, per-minute counts per
 * movie and event type to {@code movie_activity_1m}, and rejected records to {@code dead_letters} —
 * all three through one exactly-once sink, so they move together.
 */
public final class UserEventsJob {

    public static final String NAME = "user-events";

    static final Flag<String> INPUT_TOPIC = CommonFlags.inputTopic("user-events");
    static final Flag<Duration> ALLOWED_LATENESS =
            Flag.duration(
                    "allowed-lateness",
                    Duration.ofMinutes(1),
                    Duration.ZERO,
                    "a late event within this updates its movie_activity_1m row; later ones are only counted");

    private static final OutputTag<UserEvent> TOO_LATE =
            new OutputTag<>("too-late", Types.POJO(UserEvent.class)) {};

    private UserEventsJob() {}

    public static CommandLine commandLine() {
        return CommonFlags.forJob(
                        NAME,
                        "Movie platform engagement: Kafka user-events -> PostgreSQL user_events,"
                                + " movie_activity_1m and dead_letters, exactly once.")
                .add(INPUT_TOPIC, ALLOWED_LATENESS);
    }

    public static void main(String[] args) {
        JobMain.run(args, JOB);
    }

    /** The job as {@code flink run} and the demo see it. */
    public static final StreamingJob JOB =
            StreamingJob.of(
                    NAME,
                    UserEventsJob::commandLine,
                    args -> List.of(args.get(INPUT_TOPIC)),
                    List.of("user_events", "movie_activity_1m", DeadLetterRows.TABLE_NAME),
                    UserEventsJob::build);

    /** Lists the job for the tools that run every job ({@link RegisteredJob#all()}). */
    public static final class Registration extends RegisteredJob {
        public Registration() {
            super(JOB);
        }
    }

    /** The job's real ends: its Kafka topic in, its tables out through {@code tables}. */
    static void build(StreamExecutionEnvironment env, ParsedArgs args, TableSink tables) {
        tables.write(pipeline(input(env, args), args.get(ALLOWED_LATENESS)));
    }

    /** The job's input: its topic, parsed. */
    static ParsedSource<UserEvent> input(StreamExecutionEnvironment env, ParsedArgs args) {
        return ParsedSource.fromKafka(
                env, args, NAME, INPUT_TOPIC, new UserEventParser(), UserEvent.class);
    }

    /**
     * The job between its ends: parsed user events (and their dead letters) in, rows of {@code
     * user_events}, {@code movie_activity_1m} and {@code dead_letters} out.
     */
    public static TableOutput pipeline(ParsedSource<UserEvent> input, Duration allowedLateness) {
        DataStream<UserEvent> events = input.events();
        DataStream<TableRow> userEventRows =
                events.map(e -> UserEventRows.userEvent(e, Instant.now()))
                        .returns(TableRowTypeInfo.INSTANCE)
                        .name("To user_events rows");

        // Flink's window operator, keeping its watermark across restores and firing at end of input
        KeyedStream<UserEvent, Tuple2<Integer, String>> byMovie =
                events.keyBy(MovieActivityWindow::key, Types.TUPLE(Types.INT, Types.STRING));
        SingleOutputStreamOperator<TableRow> activityRows =
                byMovie.transform(
                                "Movie activity per minute",
                                TableRowTypeInfo.INSTANCE,
                                EventTimeWindowOperator.aggregate(
                                        byMovie,
                                        TumblingEventTimeWindows.of(Duration.ofMinutes(1)),
                                        allowedLateness,
                                        TOO_LATE,
                                        new MovieActivityWindow.Count(),
                                        new MovieActivityWindow.ToRow(),
                                        Types.LONG))
                        .uid("movie-activity-1m")
                        .name("Movie activity per minute");
        activityRows
                .getSideOutput(TOO_LATE)
                .flatMap(new LateRecordCounter<UserEvent>())
                .returns(Types.VOID)
                .uid("late-events")
                .name("Count events beyond allowed lateness");

        return TableOutput.of(
                userEventRows.union(activityRows, input.deadLetters()),
                List.of(
                        UserEventRows.USER_EVENTS,
                        UserEventRows.MOVIE_ACTIVITY,
                        DeadLetterRows.TABLE));
    }
}
