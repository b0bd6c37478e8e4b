package dev.flinkpipelines.common.postgres;

import dev.flinkpipelines.common.postgres.internal.PostgresCommittable;
import dev.flinkpipelines.common.postgres.internal.PostgresCommittableSerializer;
import dev.flinkpipelines.common.postgres.internal.PostgresCommitter;
import dev.flinkpipelines.common.postgres.internal.PostgresSinkWriter;
import dev.flinkpipelines.common.postgres.internal.PostgresWriterState;
import dev.flinkpipelines.common.postgres.internal.PostgresWriterStateSerializer;
import dev.flinkpipelines.common.postgres.internal.SinkConfig;
import dev.flinkpipelines.common.postgres.internal.StagedRows;
import dev.flinkpipelines.common.postgres.internal.TransactionId;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A sink into PostgreSQL, exactly once by default over its native two-phase commit. One transaction
 * per writer subtask and checkpoint covers every table the job feeds, prepared at the checkpoint
 * barrier and committed when the checkpoint completes. Jobs attach it through {@link
 * PostgresTableSink}; the protocol's classes are in the {@code internal} package. See README "The
 * exactly-once PostgreSQL sink" for the guarantees and limits.
 *
 * <pre>{@code
 * PostgresSink sink = PostgresSink.builder("user-events", connection)
 *         .table(TableSpec.appendIgnoringDuplicates("user_events", "user_id", "movie_id", ...))
 *         .table(TableSpec.upsert("movie_activity_1m", List.of("window_start", "movie_id", "event_type"), ...))
 *         .build();
 * rows.sinkTo(sink).uid("postgres-sink").name(PostgresTableSink.operatorName(EXACTLY_ONCE));
 * }</pre>
 *
 * <p>{@link DeliveryGuarantee#AT_LEAST_ONCE} ({@link Builder#deliveryGuarantee}) keeps the same
 * writer but ends each checkpoint's transaction with a plain {@code COMMIT} at the barrier instead
 * of {@code PREPARE TRANSACTION} + {@code COMMIT PREPARED}, and hands nothing to the committer:
 * rows are visible one checkpoint-completion earlier, and a replay after a failure writes them
 * again (append tables skip rows already stored). It exists to measure what exactly once costs (see
 * docs/BENCHMARKS.md) and for tables that absorb replays.
 *
 * <p>Not final on purpose: tests wrap the committer to crash between prepare and commit.
 */
public class PostgresSink
        implements Sink<TableRow>,
                SupportsCommitter<PostgresCommittable>,
                SupportsWriterState<TableRow, PostgresWriterState> {

    private static final long serialVersionUID = 2L;

    /**
     * The table the sink stages rows in (sql/migrations/V7); it must exist, like the job's own
     * tables.
     */
    public static final String STAGING_TABLE = StagedRows.TABLE;

    /**
     * The longest a writer holds its input for its previous commit, once per checkpoint (see the
     * writer).
     */
    static final Duration BACKLOG_COMMIT_WAIT = Duration.ofSeconds(5);

    private final SinkConfig config;

    protected PostgresSink(PostgresSink other) {
        this(other.config);
    }

    private PostgresSink(SinkConfig config) {
        this.config = config;
    }

    private static DeliveryGuarantee checkGuarantee(DeliveryGuarantee guarantee) {
        if (guarantee != DeliveryGuarantee.EXACTLY_ONCE
                && guarantee != DeliveryGuarantee.AT_LEAST_ONCE) {
            throw new IllegalArgumentException(
                    "delivery guarantee must be EXACTLY_ONCE or AT_LEAST_ONCE: " + guarantee);
        }
        return guarantee;
    }

    public DeliveryGuarantee deliveryGuarantee() {
        return config.exactlyOnce()
                ? DeliveryGuarantee.EXACTLY_ONCE
                : DeliveryGuarantee.AT_LEAST_ONCE;
    }

    /** The same sink (id, connection, tables, batch size) with another delivery guarantee. */
    public PostgresSink withDeliveryGuarantee(DeliveryGuarantee guarantee) {
        return new PostgresSink(
                new SinkConfig(
                        config.sinkId(),
                        config.connection(),
                        config.tables(),
                        config.batchSize(),
                        config.lockTimeout(),
                        checkGuarantee(guarantee) == DeliveryGuarantee.EXACTLY_ONCE,
                        config.fenceGrace(),
                        config.commitRetryTimeout(),
                        config.backlogCommitWait()));
    }

    /**
     * @param sinkId names this sink's prepared transactions and its fence: one live job per sink id
     *     and database (a second one is refused at start). Jobs default it to their name ({@code
     *     --sink-id}).
     */
    public static Builder builder(String sinkId, PostgresConnectionSettings connection) {
        return new Builder(sinkId, connection);
    }

    public String sinkId() {
        return config.sinkId();
    }

    public List<TableSpec> tables() {
        return config.tables();
    }

    public PostgresConnectionSettings connectionSettings() {
        return config.connection();
    }

    @Override
    public StatefulSinkWriter<TableRow, PostgresWriterState> createWriter(WriterInitContext context)
            throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<TableRow, PostgresWriterState> restoreWriter(
            WriterInitContext context, Collection<PostgresWriterState> recoveredState)
            throws IOException {
        PostgresConnectionSettings.deregisterDriverOnRelease(context.getUserCodeClassLoader());
        return new PostgresSinkWriter(
                config,
                context.getJobInfo().getJobId().toHexString(),
                context.getTaskInfo().getIndexOfThisSubtask(),
                context.getTaskInfo().getNumberOfParallelSubtasks(),
                context.getRestoredCheckpointId(),
                context.getMailboxExecutor(),
                context.metricGroup(),
                recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<PostgresWriterState> getWriterStateSerializer() {
        return new PostgresWriterStateSerializer();
    }

    @Override
    public Committer<PostgresCommittable> createCommitter(CommitterInitContext context) {
        return new PostgresCommitter(config, context.metricGroup());
    }

    @Override
    public SimpleVersionedSerializer<PostgresCommittable> getCommittableSerializer() {
        return new PostgresCommittableSerializer();
    }

    /** Builds an {@link PostgresSink}. */
    public static final class Builder {
        private final String sinkId;
        private final PostgresConnectionSettings connection;
        private final List<TableSpec> tables = new ArrayList<>();
        private int batchSize = 1000;
        private Duration lockTimeout = Duration.ofMinutes(2);
        private DeliveryGuarantee deliveryGuarantee = DeliveryGuarantee.EXACTLY_ONCE;
        private Duration fenceGrace = Duration.ofSeconds(30);
        private Duration commitRetryTimeout = Duration.ofSeconds(30);

        private Builder(String sinkId, PostgresConnectionSettings connection) {
            this.sinkId = TransactionId.checkSinkId(sinkId);
            this.connection = Objects.requireNonNull(connection, "connection");
        }

        public Builder table(TableSpec table) {
            tables.add(Objects.requireNonNull(table, "table"));
            return this;
        }

        /** Rows buffered per flush to PostgreSQL inside the open transaction (default 1000). */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1: " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * The longest a write may wait for a row lock before the job fails and restarts (default 2
         * min).
         */
        public Builder lockTimeout(Duration lockTimeout) {
            this.lockTimeout = positive("lock timeout", lockTimeout);
            return this;
        }

        /**
         * How long a starting writer waits for another job that holds the sink id to let go before
         * it refuses to run (default 30 s: a job just stopped may still be closing its
         * connections).
         */
        public Builder fenceGrace(Duration fenceGrace) {
            this.fenceGrace = notNegative("fence grace", fenceGrace);
            return this;
        }

        /**
         * How long a commit is retried through connection errors before it is handed back to Flink
         * (default 30 s: rides out a PostgreSQL restart).
         */
        public Builder commitRetryTimeout(Duration commitRetryTimeout) {
            this.commitRetryTimeout = notNegative("commit retry timeout", commitRetryTimeout);
            return this;
        }

        /**
         * {@code EXACTLY_ONCE} (the default): prepare at the barrier, commit when the checkpoint
         * completes. {@code AT_LEAST_ONCE}: plain {@code COMMIT} at the barrier, no committables.
         */
        public Builder deliveryGuarantee(DeliveryGuarantee guarantee) {
            this.deliveryGuarantee = checkGuarantee(guarantee);
            return this;
        }

        private static Duration positive(String what, Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }

        private static Duration notNegative(String what, Duration d) {
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative: " + d);
            }
            return d;
        }

        public PostgresSink build() {
            if (tables.isEmpty()) {
                throw new IllegalStateException("sink " + sinkId + " has no tables");
            }
            Set<String> names = new HashSet<>();
            for (TableSpec t : tables) {
                if (!names.add(t.name())) {
                    throw new IllegalStateException(
                            "sink " + sinkId + " lists table " + t.name() + " twice");
                }
            }
            return new PostgresSink(
                    new SinkConfig(
                            sinkId,
                            connection,
                            tables,
                            batchSize,
                            lockTimeout,
                            deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE,
                            fenceGrace,
                            commitRetryTimeout,
                            BACKLOG_COMMIT_WAIT));
        }
    }
}
