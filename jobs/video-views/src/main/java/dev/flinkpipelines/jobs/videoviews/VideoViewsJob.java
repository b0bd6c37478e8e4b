package dev.flinkpipelines.jobs.videoviews;

import dev.flinkpipelines.common.deadletter.DeadLetterRows;
import dev.flinkpipelines.common.dedup.EventTimeDeduplicator;
import dev.flinkpipelines.common.events.VideoView;
import dev.flinkpipelines.common.kafka.ParsedSource;
import dev.flinkpipelines.common.options.CommandLine;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.Flag;
import dev.flinkpipelines.common.options.JobEnvironment;
import dev.flinkpipelines.common.options.JobMain;
import dev.flinkpipelines.common.options.RegisteredJob;
import dev.flinkpipelines.common.options.StreamingJob;
import dev.flinkpipelines.common.parse.VideoViewParser;
import dev.flinkpipelines.common.postgres.TableOutput;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableRowTypeInfo;
import dev.flinkpipelines.common.postgres.TableSink;
import dev.flinkpipelines.common.postgres.TableSpec;
import dev.flinkpipelines.common.time.CheckpointedWatermark;
import dev.flinkpipelines.common.time.EventTimeProcessOperator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;

/**
 * Billing-grade view counting, one code path for stream and batch: every raw record becomes a
 * view_ledger row or a dead letter; counted views per video and event-time hour go to
 * video_views_1h. Run with {@code --bounded} it recomputes the same tables in the {@code reconcile}
 * schema, and {@link Reconcile} compares the two.
 */
public final class VideoViewsJob {

    public static final String NAME = "video-views";

    static final Flag<String> INPUT_TOPIC = CommonFlags.inputTopic("video-views");
    static final Flag<Duration> DEDUP_HORIZON =
            Flag.duration(
                    "dedup-horizon",
                    Duration.ofHours(24),
                    Duration.ofSeconds(1),
                    "how long (event time) an event id is remembered: a copy within it is never counted again");
    static final Flag<Integer> QUALIFYING_SECONDS =
            Flag.integer(
                    "qualifying-seconds",
                    0,
                    30,
                    "a view counts when view_duration is at least this many seconds");
    static final Flag<Duration> ALLOWED_LATENESS =
            Flag.duration(
                    "allowed-lateness",
                    Duration.ofHours(1),
                    Duration.ZERO,
                    "a late view within this still counts in its hour; later ones are ledgered as late");
    static final Flag<String> OUTPUT_SCHEMA =
            Flag.string(
                    "output-schema",
                    null,
                    "PostgreSQL schema to write (default: public, or reconcile with --bounded)");

    private static final OutputTag<VideoView> DUPLICATES =
            new OutputTag<>("duplicates", TypeInformation.of(VideoView.class));

    public static final StreamingJob JOB =
            StreamingJob.of(
                    NAME,
                    VideoViewsJob::commandLine,
                    args -> List.of(args.get(INPUT_TOPIC)),
                    List.of(
                            "view_ledger",
                            "video_views_1h",
                            "reconcile.view_ledger",
                            "reconcile.video_views_1h",
                            DeadLetterRows.TABLE_NAME),
                    VideoViewsJob::sinkId,
                    VideoViewsJob::build);

    /** Lists the job for the tools that run every job ({@link RegisteredJob#all()}). */
    public static final class Registration extends RegisteredJob {
        public Registration() {
            super(JOB);
        }
    }

    private VideoViewsJob() {}

    public static CommandLine commandLine() {
        return CommonFlags.forJob(
                        NAME,
                        "Video views: Kafka video-views -> PostgreSQL view_ledger and video_views_1h,"
                                + " exactly once; with --bounded, the same into the reconcile schema.")
                .add(
                        INPUT_TOPIC,
                        DEDUP_HORIZON,
                        QUALIFYING_SECONDS,
                        ALLOWED_LATENESS,
                        OUTPUT_SCHEMA);
    }

    public static void main(String[] args) {
        JobMain.run(args, JOB);
    }

    static String schema(ParsedArgs args) {
        String schema = args.get(OUTPUT_SCHEMA);
        return schema != null ? schema : args.get(CommonFlags.BOUNDED) ? "reconcile" : "public";
    }

    /**
     * {@code --sink-id}, else the job's name, with the schema appended for any schema but public:
     * the reconciliation run may run next to the streaming job.
     */
    static String sinkId(ParsedArgs args) {
        String schema = schema(args);
        return JobEnvironment.sinkId(args, schema.equals("public") ? NAME : NAME + "-" + schema);
    }

    /** What the pipeline is told by the job's flags. */
    public record Settings(
            Duration dedupHorizon, int qualifyingSeconds, Duration allowedLateness, String schema) {

        static Settings from(ParsedArgs args) {
            return new Settings(
                    args.get(DEDUP_HORIZON),
                    args.get(QUALIFYING_SECONDS),
                    args.get(ALLOWED_LATENESS),
                    VideoViewsJob.schema(args));
        }
    }

    /** The job's real ends: its Kafka topic in, its tables out through {@code tables}. */
    static void build(StreamExecutionEnvironment env, ParsedArgs args, TableSink tables) {
        tables.write(pipeline(input(env, args), Settings.from(args)));
    }

    /** The job's input: its topic, parsed. */
    static ParsedSource<VideoView> input(StreamExecutionEnvironment env, ParsedArgs args) {
        return ParsedSource.fromKafka(
                env, args, NAME, INPUT_TOPIC, new VideoViewParser(), VideoView.class);
    }

    /**
     * The job between its ends: parsed views (and their dead letters) in; rows of {@code
     * view_ledger} and {@code video_views_1h} in {@code settings.schema()} (and {@code
     * dead_letters} in public) out. An hour's count gets several rows.
     */
    public static TableOutput pipeline(ParsedSource<VideoView> input, Settings settings) {
        String schema = settings.schema();
        ViewRows rows = new ViewRows(schema);
        // KeyedStream#process's operator, keeping its watermark across restores (dedup expiry, late
        // views)
        SingleOutputStreamOperator<VideoView> unique =
                input.events()
                        .keyBy(VideoView::eventId, Types.STRING)
                        .transform(
                                "Drop duplicate event ids",
                                TypeInformation.of(VideoView.class),
                                new EventTimeProcessOperator<>(
                                        new EventTimeDeduplicator<String, VideoView>(
                                                settings.dedupHorizon(), DUPLICATES),
                                        CheckpointedWatermark.EndOfInput.KEEP_STATE))
                        .uid("dedup-by-event-id")
                        .name("Drop duplicate event ids");
        DataStream<TableRow> duplicates =
                unique.getSideOutput(DUPLICATES)
                        .map(
                                v ->
                                        rows.ledger(
                                                v,
                                                false,
                                                ViewRows.DUPLICATE,
                                                v.eventTimeMillis()
                                                        - Math.floorMod(
                                                                v.eventTimeMillis(),
                                                                ViewCounter.HOUR)))
                        .returns(TableRowTypeInfo.INSTANCE)
                        .name("Ledger duplicates");
        DataStream<TableRow> counted =
                unique.keyBy(VideoView::videoId, Types.STRING)
                        .transform(
                                "Qualify and count per video-hour",
                                TableRowTypeInfo.INSTANCE,
                                new EventTimeProcessOperator<>(
                                        new ViewCounter(
                                                settings.qualifyingSeconds(),
                                                settings.allowedLateness(),
                                                rows),
                                        CheckpointedWatermark.EndOfInput.KEEP_STATE))
                        .uid("count-views-per-hour")
                        .name("Qualify and count per video-hour");

        List<TableSpec> tables = new ArrayList<>(List.of(rows.ledger, rows.hourly));
        DataStream<TableRow> all = counted.union(duplicates);
        if (schema.equals("public")) {
            // the reconciliation run re-reads records whose dead letters the streaming run already
            // kept
            tables.add(DeadLetterRows.TABLE);
            all = all.union(input.deadLetters());
        }
        return new TableOutput(all, tables, true);
    }
}
