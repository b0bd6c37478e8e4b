package dev.flinkpipelines.common.postgres.internal;

import dev.flinkpipelines.common.postgres.TableRow;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * What a writer subtask keeps in a checkpoint: which writer subtask id it owns, how many ids exist
 * in all, and the gids it prepared whose commit it has not seen yet (the transactions the
 * checkpoint's committer state may still commit). After a restore, the owner of a subtask id rolls
 * back exactly that id's prepared transactions that are not pending, whatever run prepared them,
 * and nobody else touches them. Transactions are named with the first subtask id a writer owns; a
 * writer that owns several ids after a scale-down writes one state per id.
 *
 * <p>The sink's first version kept rows here instead (rows accepted while its previous transaction
 * was still prepared); such a state restores as {@link #carriedRows()} with unknown ownership. This
 * version never keeps rows in writer state: it stages them in PostgreSQL.
 */
@Internal
public final class PostgresWriterState {

    static final int UNKNOWN = -1;

    private final int ownedSubtask;
    private final int ownedSubtaskCount;
    private final List<String> pendingGids;
    private final List<TableRow> carriedRows;

    private PostgresWriterState(
            int ownedSubtask,
            int ownedSubtaskCount,
            List<String> pendingGids,
            List<TableRow> carriedRows) {
        this.ownedSubtask = ownedSubtask;
        this.ownedSubtaskCount = ownedSubtaskCount;
        this.pendingGids = List.copyOf(pendingGids);
        this.carriedRows = List.copyOf(carriedRows);
    }

    static PostgresWriterState of(
            int ownedSubtask, int ownedSubtaskCount, List<String> pendingGids) {
        if (ownedSubtask < 0 || ownedSubtaskCount <= ownedSubtask) {
            throw new IllegalArgumentException(
                    "owned subtask " + ownedSubtask + " of " + ownedSubtaskCount);
        }
        return new PostgresWriterState(ownedSubtask, ownedSubtaskCount, pendingGids, List.of());
    }

    /** A state of the sink's first version: rows carried to the next transaction. */
    static PostgresWriterState carried(List<TableRow> rows) {
        return new PostgresWriterState(UNKNOWN, UNKNOWN, List.of(), rows);
    }

    /** False for a state of the sink's first version, which knew nothing of ownership. */
    boolean hasOwnership() {
        return ownedSubtask != UNKNOWN;
    }

    int ownedSubtask() {
        return ownedSubtask;
    }

    int ownedSubtaskCount() {
        return ownedSubtaskCount;
    }

    List<String> pendingGids() {
        return pendingGids;
    }

    List<TableRow> carriedRows() {
        return carriedRows;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PostgresWriterState)) {
            return false;
        }
        PostgresWriterState other = (PostgresWriterState) o;
        return ownedSubtask == other.ownedSubtask
                && ownedSubtaskCount == other.ownedSubtaskCount
                && pendingGids.equals(other.pendingGids)
                && carriedRows.equals(other.carriedRows);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ownedSubtask, ownedSubtaskCount, pendingGids, carriedRows);
    }

    @Override
    public String toString() {
        return hasOwnership()
                ? "PostgresWriterState{owns subtask "
                        + ownedSubtask
                        + " of "
                        + ownedSubtaskCount
                        + ", pending "
                        + pendingGids
                        + "}"
                : "PostgresWriterState{first version, " + carriedRows.size() + " carried rows}";
    }
}
