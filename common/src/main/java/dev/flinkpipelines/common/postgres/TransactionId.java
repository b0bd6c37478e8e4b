package dev.flinkpipelines.common.postgres;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL global transaction id ({@code gid}) of one prepared transaction:
 * {@code <sinkId>:<subtask>:<checkpoint>}. It names the sink, the writer subtask that prepared
 * it and the checkpoint it belongs to, which is all a restarted writer needs to decide whether a
 * leftover prepared transaction is its own and whether a restored checkpoint will commit it.
 * No job id in it on purpose: a savepoint restored into a new job must still find its leftovers.
 */
public record TransactionId(String sinkId, int subtask, long checkpointId) {

    /** Sink ids: letters, digits, '_', '.', '-'; never ':' so a gid parses without ambiguity. */
    private static final Pattern SINK_ID = Pattern.compile("[A-Za-z0-9_.-]{1,120}");
    private static final Pattern GID = Pattern.compile("([A-Za-z0-9_.-]{1,120}):(\\d{1,9}):(\\d{1,19})");

    public TransactionId {
        checkSinkId(sinkId);
        if (subtask < 0) {
            throw new IllegalArgumentException("subtask must be >= 0: " + subtask);
        }
        if (checkpointId < 0) {
            throw new IllegalArgumentException("checkpoint id must be >= 0: " + checkpointId);
        }
    }

    public static String checkSinkId(String sinkId) {
        if (sinkId == null || !SINK_ID.matcher(sinkId).matches()) {
            throw new IllegalArgumentException(
                    "sink id '" + sinkId + "' must be 1-120 characters of letters, digits, '_', '.', '-'");
        }
        return sinkId;
    }

    public String gid() {
        return sinkId + ":" + subtask + ":" + checkpointId;
    }

    /** Parses a gid written by this sink; anything else (another application's gid) is empty. */
    public static Optional<TransactionId> parse(String gid) {
        Matcher m = GID.matcher(gid);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new TransactionId(m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return gid();
    }
}
