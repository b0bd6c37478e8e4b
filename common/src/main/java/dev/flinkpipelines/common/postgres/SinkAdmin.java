package dev.flinkpipelines.common.postgres;

import dev.flinkpipelines.common.options.CommandLine;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.Flag;
import dev.flinkpipelines.common.postgres.internal.PreparedTransactions;
import dev.flinkpipelines.common.postgres.internal.SinkFence;
import dev.flinkpipelines.common.postgres.internal.StagedRows;
import dev.flinkpipelines.common.postgres.internal.TransactionId;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What one sink id holds in a database, for people: the running writers (the fence), prepared
 * transactions and staged rows left behind, and the command that lists them or rolls them back.
 *
 * <p>A job that was cancelled, or whose restarts gave up, leaves its last transactions prepared:
 * they hold row locks and keep VACUUM from cleaning up until a job with the same sink id restores
 * (and commits or rolls them back) — maybe never. Resuming the job from its latest checkpoint is
 * the right fix (its committer commits them); when it will not be resumed:
 *
 * <pre>
 * java -cp &lt;any job jar&gt; dev.flinkpipelines.common.postgres.SinkAdmin --jdbc-url ... --sink-id user-events --list
 * java -cp &lt;any job jar&gt; dev.flinkpipelines.common.postgres.SinkAdmin --jdbc-url ... --sink-id user-events --abort
 * </pre>
 *
 * Needs only the JDBC driver and this project's classes (no Flink, no logging binding), which is
 * what a job jar holds.
 */
public final class SinkAdmin {

    static final Flag<String> SINK_ID =
            Flag.string("sink-id", null, "the sink id to inspect (a job's name by default)");
    static final Flag<Boolean> LIST =
            Flag.enabledBy(
                    "list",
                    "list running writers, prepared transactions and staged rows (default)");
    static final Flag<Boolean> ABORT =
            Flag.enabledBy(
                    "abort",
                    "roll back the sink's prepared transactions and delete its staged rows; refused while a job of the sink runs."
                            + " Their rows are discarded: do this only for a job that will not be resumed");

    private SinkAdmin() {}

    /** A session holding one of the sink's writer locks, described for a person. */
    public static List<String> liveWriters(Connection connection, String sinkId)
            throws SQLException {
        List<String> writers = new ArrayList<>();
        for (SinkFence.Holder holder : SinkFence.holders(connection, sinkId)) {
            writers.add(holder.describe());
        }
        return writers;
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    /**
     * The testable command: returns the exit code (0 done, 1 refused or failed, 2 bad command
     * line).
     */
    static int run(String[] argv, PrintStream out, PrintStream err) {
        CommandLine cli =
                new CommandLine(
                                "java -cp <job jar> " + SinkAdmin.class.getName(),
                                "Lists or rolls back what a flink-pipelines PostgreSQL sink left in a database: prepared transactions and"
                                        + " staged rows of a job that was cancelled or will not be resumed.")
                        .add(
                                CommonFlags.JDBC_URL,
                                CommonFlags.JDBC_USER,
                                CommonFlags.JDBC_PASSWORD_FILE,
                                CommonFlags.JDBC_PASSWORD,
                                SINK_ID,
                                LIST,
                                ABORT);
        CommandLine.Invocation invocation = cli.invoke(argv, out, err);
        if (!invocation.shouldRun()) {
            return invocation.exitCode();
        }
        ParsedArgs args = invocation.args();
        String sinkId = args.get(SINK_ID);
        if (sinkId == null) {
            err.println(
                    "error: --sink-id is required (a job's sink id is its name unless it was started with --sink-id)");
            return 2;
        }
        if (args.get(LIST) && args.get(ABORT)) {
            err.println("error: --list and --abort exclude each other");
            return 2;
        }
        try {
            TransactionId.checkSinkId(sinkId);
        } catch (IllegalArgumentException e) {
            err.println("error: --sink-id: " + e.getMessage());
            return 2;
        }
        PostgresConnectionSettings settings;
        try {
            settings =
                    new PostgresConnectionSettings(
                            args.get(CommonFlags.JDBC_URL),
                            args.get(CommonFlags.JDBC_USER),
                            args.get(CommonFlags.JDBC_PASSWORD),
                            args.get(CommonFlags.JDBC_PASSWORD_FILE));
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        try (Connection c = settings.open("flink-pipelines sink admin")) {
            c.setAutoCommit(true);
            List<String> writers = liveWriters(c, sinkId);
            List<PreparedTransactions.Prepared> prepared = PreparedTransactions.listOwn(c, sinkId);
            List<StagedRows.Staged> staged = StagedRows.list(c, sinkId);
            if (args.get(ABORT)) {
                if (!writers.isEmpty()) {
                    err.println(
                            "error: sink '"
                                    + sinkId
                                    + "' has a running job: "
                                    + writers.get(0)
                                    + ". Its transactions are not leftovers; stop the job first.");
                    return 1;
                }
                for (PreparedTransactions.Prepared p : prepared) {
                    boolean rolledBack = PreparedTransactions.rollback(c, p.id().gid());
                    out.println((rolledBack ? "rolled back " : "already gone: ") + p.id().gid());
                }
                long deleted = 0;
                for (StagedRows.Staged s : staged) {
                    deleted += StagedRows.delete(c, sinkId, s.xid());
                }
                out.println(
                        "sink "
                                + sinkId
                                + ": rolled back "
                                + prepared.size()
                                + " prepared transactions, deleted "
                                + deleted
                                + " staged rows");
                return 0;
            }
            Instant now = Instant.now();
            out.println("sink " + sinkId + " on " + settings.url());
            out.println("  running writers: " + (writers.isEmpty() ? "none" : ""));
            writers.forEach(w -> out.println("    " + w));
            out.println(
                    "  prepared transactions: " + (prepared.isEmpty() ? "none" : prepared.size()));
            for (PreparedTransactions.Prepared p : prepared) {
                out.println(
                        "    "
                                + p.id().gid()
                                + "  checkpoint "
                                + p.id().checkpointId()
                                + ", writer "
                                + p.id().subtask()
                                + ", prepared "
                                + p.preparedAt()
                                + " ("
                                + Duration.between(p.preparedAt(), now).toSeconds()
                                + " s ago) by "
                                + p.owner());
            }
            out.println(
                    "  staged rows: "
                            + (staged.isEmpty()
                                    ? "none"
                                    : "of "
                                            + staged.size()
                                            + " transactions "
                                            + staged.stream()
                                                    .map(s -> Long.toString(s.xid()))
                                                    .toList()));
            if (writers.isEmpty() && (!prepared.isEmpty() || !staged.isEmpty())) {
                out.println(
                        "  No job of this sink runs: these are leftovers. Resume the job from its latest checkpoint"
                                + " (its committer commits them), or discard them with --abort.");
            }
            return 0;
        } catch (SQLException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }
}
