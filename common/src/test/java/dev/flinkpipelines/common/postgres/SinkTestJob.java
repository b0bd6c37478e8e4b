package dev.flinkpipelines.common.postgres;

import dev.flinkpipelines.common.postgres.internal.PostgresCommittable;
import dev.flinkpipelines.common.postgres.internal.PreparedTransactions;
import dev.flinkpipelines.common.postgres.internal.TransactionId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;

/**
 * A small job around the sink: numbers 0..n-1 from a rate-limited, checkpointed source, keyed by
 * {@code n % 10} with a running count in keyed state, written as
 *
 * <ul>
 *   <li>{@code sink_events(seq, k, payload)} — append through COPY, no unique key, so a duplicate
 *       shows up as a second row instead of being absorbed by a constraint;
 *   <li>{@code sink_counts(k, n)} — upsert: the final row per key is the full count;
 *   <li>{@code sink_audit(seq)} — optionally by a second sink in the same job.
 * </ul>
 *
 * Failures are injected through static switches, which the MiniCluster (same JVM) sees.
 */
final class SinkTestJob {

    static final String CREATE_TABLES =
            "CREATE TABLE IF NOT EXISTS sink_events (seq BIGINT NOT NULL, k INT NOT NULL, payload TEXT);"
                    + "CREATE TABLE IF NOT EXISTS sink_counts (k INT PRIMARY KEY, n BIGINT NOT NULL);"
                    + "CREATE TABLE IF NOT EXISTS sink_audit (seq BIGINT PRIMARY KEY);"
                    + "TRUNCATE sink_events, sink_counts, sink_audit";

    static final TableSpec EVENTS =
            TableSpec.appendIgnoringDuplicates("sink_events", "seq", "k", "payload");
    static final TableSpec COUNTS = TableSpec.upsert("sink_counts", List.of("k"), "k", "n");
    static final TableSpec AUDIT = TableSpec.appendIgnoringDuplicates("sink_audit", "seq");

    String runId = "run";
    long count = 2000;
    double ratePerSecond = 1000;
    int parallelism = 2;
    long checkpointIntervalMs = 100;
    boolean batch;
    boolean secondSink;
    boolean restart = true;

    /**
     * Fail the job once in a map, after this many elements per subtask and 2 completed checkpoints.
     */
    long failAfterElements = -1;

    /**
     * Make the committer crash instead of committing any transaction labelled with this checkpoint
     * or a later one; everything before it commits normally.
     */
    long crashCommitsFrom = -1;

    /** Crash on every commit attempt once armed (the job then fails for good). */
    boolean crashForever;

    Path checkpointDir;
    String restoreFrom;

    /**
     * Let every checkpoint from this id on (only the odd ones with {@link #abortEveryOther}) time
     * out until the input ends; the final checkpoint after end of input completes. An aborted
     * checkpoint leaves its prepared transactions uncommitted until a later one completes.
     */
    long abortFrom = -1;

    boolean abortEveryOther;

    /**
     * Abort checkpoints only once a subtask has seen this many elements (near the end of input).
     */
    long abortAfterElements;

    /** Abort at most this many checkpoints per subtask (each one stalls the source for a while). */
    int maxAborts = Integer.MAX_VALUE;

    /**
     * Abort every checkpoint after the first two until a second after the input ended: a side
     * branch of the job stops taking barriers. The writers then reach end of input with their
     * previous transaction in an aborted checkpoint, whose commit needs a checkpoint after it.
     */
    boolean abortUntilInputEnds;

    /** How long a writer waits for another job holding the sink id (null: the sink's default). */
    Duration fenceGrace;

    private final PostgresConnectionSettings connection;

    SinkTestJob(PostgresConnectionSettings connection) {
        this.connection = connection;
    }

    void run() throws Exception {
        start().getJobExecutionResult().get();
    }

    /** Submits the job and returns at once. */
    JobClient start() throws Exception {
        Configuration conf = new Configuration();
        if (!restart) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        if (checkpointDir != null) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.toUri().toString());
            conf.set(
                    CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        if (restoreFrom != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
        }
        if (batch) {
            conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        if (!batch) {
            env.enableCheckpointing(checkpointIntervalMs);
            env.getCheckpointConfig().setTolerableCheckpointFailureNumber(Integer.MAX_VALUE);
            if (abortFrom >= 0 || abortUntilInputEnds) {
                env.getCheckpointConfig().setCheckpointTimeout(ABORTING_CHECKPOINT_TIMEOUT_MS);
            }
        }

        DataGeneratorSource<Long> numbers =
                new DataGeneratorSource<>(
                        i -> i, count, RateLimiterStrategy.perSecond(ratePerSecond), Types.LONG);
        DataStream<TableRow> rows =
                env.fromSource(numbers, WatermarkStrategy.noWatermarks(), "numbers")
                        .uid("numbers")
                        .map(new FailOnce(runId, failAfterElements, count))
                        .uid("fail-once")
                        .transform(
                                "abort-checkpoints",
                                Types.LONG,
                                new AbortCheckpoints(
                                        abortFrom, abortEveryOther, abortAfterElements, maxAborts))
                        .uid("abort-checkpoints")
                        .keyBy(i -> (int) (i % 10))
                        .process(new RunningCount(secondSink))
                        .uid("running-count")
                        .returns(TableRowTypeInfo.INSTANCE);

        if (abortUntilInputEnds) {
            env.fromSource(
                            new DataGeneratorSource<>(
                                    i -> i, 40, RateLimiterStrategy.perSecond(8), Types.LONG),
                            WatermarkStrategy.noWatermarks(),
                            "side ticks")
                    .setParallelism(1)
                    .uid("side-ticks")
                    .map(new HoldCheckpointsUntilInputEnds(runId))
                    .setParallelism(1)
                    .uid("hold-checkpoints")
                    .sinkTo(new DiscardingSink<>())
                    .setParallelism(1);
        }

        PostgresSink.Builder mainBuilder =
                PostgresSink.builder(runId + "-main", connection)
                        .table(EVENTS)
                        .table(COUNTS)
                        .batchSize(50);
        if (fenceGrace != null) {
            mainBuilder.fenceGrace(fenceGrace);
        }
        PostgresSink main = mainBuilder.build();
        PostgresSink mainSink =
                crashCommitsFrom >= 0
                        ? new CrashingCommitSink(main, runId, crashCommitsFrom, crashForever)
                        : main;
        if (secondSink) {
            rows.filter(r -> !r.table().equals("sink_audit")).sinkTo(mainSink).uid("sink-main");
            PostgresSink audit =
                    PostgresSink.builder(runId + "-audit", connection).table(AUDIT).build();
            rows.filter(r -> r.table().equals("sink_audit")).sinkTo(audit).uid("sink-audit");
        } else {
            rows.sinkTo(mainSink).uid("sink-main");
        }
        return env.executeAsync("sink-test " + runId);
    }

    // ---- injected failures ----------------------------------------------------------------

    static final Map<String, AtomicBoolean> MAP_FAILED = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> CHECKPOINTS_COMPLETED = new ConcurrentHashMap<>();
    static final Map<String, AtomicBoolean> COMMITTER_CRASHED = new ConcurrentHashMap<>();

    /** Elements the main branch has seen (all subtasks), and when it saw the last one. */
    static final Map<String, AtomicLong> MAIN_SEEN = new ConcurrentHashMap<>();

    static final Map<String, Long> MAIN_ENDED_AT = new ConcurrentHashMap<>();

    /** gids that were prepared in PostgreSQL at the moment the committer crashed. */
    static final Map<String, List<String>> PREPARED_AT_CRASH = new ConcurrentHashMap<>();

    /** committables with staged rows that the committer was asked to commit when it crashed. */
    static final Map<String, List<String>> STAGED_AT_CRASH = new ConcurrentHashMap<>();

    /** A checkpoint timeout that an aborted checkpoint's snapshot overruns. */
    static final long ABORTING_CHECKPOINT_TIMEOUT_MS = 400;

    /**
     * Makes checkpoints time out as {@link #abortFrom} says, until its input ends: its snapshot
     * takes longer than the checkpoint timeout. (An exception in a snapshot would fail the task,
     * not just the checkpoint.) The barrier has already passed downstream, so the sink prepared.
     */
    static final class AbortCheckpoints extends AbstractStreamOperator<Long>
            implements OneInputStreamOperator<Long, Long>, BoundedOneInput {
        private final long from;
        private final boolean everyOther;
        private final long afterElements;
        private final int maxAborts;
        private long seen;
        private int aborted;
        private boolean ended;

        AbortCheckpoints(long from, boolean everyOther, long afterElements, int maxAborts) {
            this.from = from;
            this.everyOther = everyOther;
            this.afterElements = afterElements;
            this.maxAborts = maxAborts;
        }

        @Override
        public void processElement(StreamRecord<Long> element) {
            seen++;
            output.collect(element);
        }

        @Override
        public void endInput() {
            ended = true;
        }

        @Override
        public void snapshotState(StateSnapshotContext context) throws Exception {
            super.snapshotState(context);
            long id = context.getCheckpointId();
            if (from >= 0
                    && !ended
                    && seen >= afterElements
                    && id >= from
                    && (!everyOther || id % 2 == 1)
                    && aborted < maxAborts) {
                aborted++;
                Thread.sleep(ABORTING_CHECKPOINT_TIMEOUT_MS + 300);
            }
        }
    }

    static final class FailOnce extends RichMapFunction<Long, Long> implements CheckpointListener {
        private final String runId;
        private final long failAfter;
        private final long total;
        private long seen;

        FailOnce(String runId, long failAfter, long total) {
            this.runId = runId;
            this.failAfter = failAfter;
            this.total = total;
        }

        @Override
        public void open(OpenContext openContext) {
            MAP_FAILED.putIfAbsent(runId, new AtomicBoolean());
            CHECKPOINTS_COMPLETED.putIfAbsent(runId, new AtomicInteger());
            MAIN_SEEN.putIfAbsent(runId, new AtomicLong());
        }

        @Override
        public Long map(Long value) {
            seen++;
            if (failAfter >= 0
                    && seen >= failAfter
                    && CHECKPOINTS_COMPLETED.get(runId).get() >= 2
                    && MAP_FAILED.get(runId).compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure mid-stream at element " + value);
            }
            if (MAIN_SEEN.get(runId).incrementAndGet() >= total) {
                MAIN_ENDED_AT.putIfAbsent(runId, System.currentTimeMillis());
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTS_COMPLETED.get(runId).incrementAndGet();
        }
    }

    /**
     * On the side branch: once two checkpoints completed, holds its element (and so its task, which
     * then takes no barrier: every checkpoint times out) until a second after the main input ended.
     */
    static final class HoldCheckpointsUntilInputEnds extends RichMapFunction<Long, Long> {
        private final String runId;
        private boolean released;

        HoldCheckpointsUntilInputEnds(String runId) {
            this.runId = runId;
        }

        @Override
        public Long map(Long value) throws InterruptedException {
            while (!released
                    && CHECKPOINTS_COMPLETED.get(runId) != null
                    && CHECKPOINTS_COMPLETED.get(runId).get() >= 2) {
                Long endedAt = MAIN_ENDED_AT.get(runId);
                if (endedAt != null && System.currentTimeMillis() - endedAt >= 1_000) {
                    released = true;
                } else {
                    Thread.sleep(20);
                }
            }
            return value;
        }
    }

    static final class RunningCount extends KeyedProcessFunction<Integer, Long, TableRow> {
        private final boolean audit;
        private transient ValueState<Long> count;

        RunningCount(boolean audit) {
            this.audit = audit;
        }

        @Override
        public void open(OpenContext openContext) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(Long seq, Context ctx, Collector<TableRow> out)
                throws Exception {
            long n = count.value() == null ? 1 : count.value() + 1;
            count.update(n);
            int k = ctx.getCurrentKey();
            // a tab, a newline and a backslash prove the COPY escaping
            out.collect(TableRow.of("sink_events", seq, k, "p\t" + seq + "\n\\"));
            out.collect(TableRow.of("sink_counts", k, n));
            if (audit) {
                out.collect(TableRow.of("sink_audit", seq));
            }
        }
    }

    /** The project's sink, whose committer crashes instead of committing once armed. */
    static final class CrashingCommitSink extends PostgresSink {
        private final String runId;
        private final long crashFrom;
        private final boolean forever;
        private final PostgresConnectionSettings connection;

        CrashingCommitSink(PostgresSink sink, String runId, long crashFrom, boolean forever) {
            super(sink);
            this.runId = runId;
            this.crashFrom = crashFrom;
            this.forever = forever;
            this.connection = sink.connectionSettings();
        }

        @Override
        public Committer<PostgresCommittable> createCommitter(CommitterInitContext context) {
            Committer<PostgresCommittable> real = super.createCommitter(context);
            COMMITTER_CRASHED.putIfAbsent(runId, new AtomicBoolean());
            PREPARED_AT_CRASH.putIfAbsent(runId, new CopyOnWriteArrayList<>());
            STAGED_AT_CRASH.putIfAbsent(runId, new CopyOnWriteArrayList<>());
            return new Committer<>() {
                @Override
                public void commit(
                        java.util.Collection<CommitRequest<PostgresCommittable>> requests)
                        throws java.io.IOException, InterruptedException {
                    boolean armed =
                            requests.stream()
                                    .anyMatch(
                                            r ->
                                                    TransactionId.parse(r.getCommittable().gid())
                                                                    .orElseThrow()
                                                                    .checkpointId()
                                                            >= crashFrom);
                    if (armed
                            && (forever
                                    || COMMITTER_CRASHED.get(runId).compareAndSet(false, true))) {
                        COMMITTER_CRASHED.get(runId).set(true);
                        try (Connection c =
                                DriverManager.getConnection(
                                        connection.url(),
                                        connection.user(),
                                        connection.password())) {
                            for (CommitRequest<PostgresCommittable> r : requests) {
                                if (PreparedTransactions.isPrepared(c, r.getCommittable().gid())) {
                                    PREPARED_AT_CRASH.get(runId).add(r.getCommittable().gid());
                                }
                                if (r.getCommittable().stagedRows() > 0) {
                                    STAGED_AT_CRASH.get(runId).add(r.getCommittable().gid());
                                }
                            }
                        } catch (java.sql.SQLException e) {
                            throw new java.io.IOException(e);
                        }
                        throw new IllegalStateException(
                                "injected crash between PREPARE TRANSACTION and COMMIT PREPARED");
                    }
                    real.commit(requests);
                }

                @Override
                public void close() throws Exception {
                    real.close();
                }
            };
        }
    }
}
