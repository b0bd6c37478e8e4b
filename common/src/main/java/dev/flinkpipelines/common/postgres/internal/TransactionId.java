package dev.flinkpipelines.common.postgres.internal;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.annotation.Internal;

/**
 * The PostgreSQL global transaction id ({@code gid}) of one prepared transaction: {@code
 * <sinkId>:<subtask>:<checkpoint>:<xid>}. It names the sink, the writer subtask that prepared it
 * (which decides who owns it after a restore), the checkpoint it belongs to, and the transaction's
 * own 64-bit PostgreSQL id ({@code pg_current_xact_id()}, taken before {@code PREPARE}).
 *
 * <p>The xid makes every gid unique for the life of the database: two runs of a job (a fresh start
 * after an old one, an old savepoint deployed again) can never produce the same gid, so a committer
 * can never commit another run's transaction, and when a gid has disappeared, {@code
 * pg_xact_status(xid)} proves whether it was committed or rolled back.
 *
 * <p>Gids of the sink's first version had no xid ({@code <sinkId>:<subtask>:<checkpoint>}); they
 * still parse, with {@link #xid()} = {@link #UNKNOWN_XID}, so state written by that version
 * restores.
 */
@Internal
public record TransactionId(String sinkId, int subtask, long checkpointId, long xid) {

    /** The xid of a gid written before gids carried one. */
    public static final long UNKNOWN_XID = -1;

    /** Sink ids: letters, digits, '_', '.', '-'; never ':' so a gid parses without ambiguity. */
    private static final Pattern SINK_ID = Pattern.compile("[A-Za-z0-9_.-]{1,120}");

    private static final Pattern GID =
            Pattern.compile("([A-Za-z0-9_.-]{1,120}):(\\d{1,9}):(\\d{1,19})(?::(\\d{1,20}))?");

    public TransactionId {
        checkSinkId(sinkId);
        if (subtask < 0) {
            throw new IllegalArgumentException("subtask must be >= 0: " + subtask);
        }
        if (checkpointId < 0) {
            throw new IllegalArgumentException("checkpoint id must be >= 0: " + checkpointId);
        }
        if (xid < 0 && xid != UNKNOWN_XID) {
            throw new IllegalArgumentException("xid must be >= 0: " + xid);
        }
    }

    public static String checkSinkId(String sinkId) {
        if (sinkId == null || !SINK_ID.matcher(sinkId).matches()) {
            throw new IllegalArgumentException(
                    "sink id '"
                            + sinkId
                            + "' must be 1-120 characters of letters, digits, '_', '.', '-'");
        }
        return sinkId;
    }

    /** Whether the gid carries its transaction's xid (written by this version of the sink). */
    public boolean hasXid() {
        return xid != UNKNOWN_XID;
    }

    public String gid() {
        String gid = sinkId + ":" + subtask + ":" + checkpointId;
        return hasXid() ? gid + ":" + xid : gid;
    }

    /** Parses a gid written by this sink; anything else (another application's gid) is empty. */
    public static Optional<TransactionId> parse(String gid) {
        Matcher m = GID.matcher(gid);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            long xid = m.group(4) == null ? UNKNOWN_XID : Long.parseLong(m.group(4));
            return Optional.of(
                    new TransactionId(
                            m.group(1),
                            Integer.parseInt(m.group(2)),
                            Long.parseLong(m.group(3)),
                            xid));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return gid();
    }
}
