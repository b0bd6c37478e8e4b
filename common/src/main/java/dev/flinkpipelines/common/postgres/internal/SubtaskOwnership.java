package dev.flinkpipelines.common.postgres.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.annotation.Internal;

/**
 * Which writer subtask ids — the subtask part of a gid — a writer subtask owns: it alone rolls back
 * their leftover transactions after a restore and it alone names new transactions with its first
 * one. The same model as flink-connector-kafka's KafkaSink: the restored writer states say which
 * old ids each new subtask owns (a scale-down gives one subtask several), and ids beyond every id
 * ever checkpointed (left by an attempt that ran at a higher parallelism and never completed a
 * checkpoint) go round robin by {@code id % parallelism}. Every id has exactly one owner.
 */
@Internal
public final class SubtaskOwnership {

    private final int subtask;
    private final int parallelism;
    private final int[] owned;

    /** Ids below this are owned through writer states; ids at or above it round robin. */
    private final int ownedIdCount;

    private SubtaskOwnership(int subtask, int parallelism, int[] owned, int ownedIdCount) {
        this.subtask = subtask;
        this.parallelism = parallelism;
        this.owned = owned;
        this.ownedIdCount = ownedIdCount;
    }

    static SubtaskOwnership of(
            int subtask, int parallelism, Collection<PostgresWriterState> restored) {
        Set<Integer> ids = new TreeSet<>();
        Set<Integer> counts = new TreeSet<>();
        for (PostgresWriterState state : restored) {
            if (state.hasOwnership()) {
                ids.add(state.ownedSubtask());
                counts.add(state.ownedSubtaskCount());
            }
        }
        if (ids.isEmpty()) {
            // a fresh start, a state of the sink's first version, or a new subtask after a scale-up
            return new SubtaskOwnership(subtask, parallelism, new int[] {subtask}, parallelism);
        }
        if (counts.size() != 1) {
            throw new IllegalStateException(
                    "restored writer states disagree on the number of writer ids: " + restored);
        }
        int count = counts.iterator().next();
        return new SubtaskOwnership(
                subtask,
                parallelism,
                ids.stream().mapToInt(Integer::intValue).toArray(),
                Math.max(count, parallelism));
    }

    /** Whether this subtask is responsible for transactions named with writer id {@code id}. */
    boolean owns(int id) {
        if (id < ownedIdCount) {
            for (int o : owned) {
                if (o == id) {
                    return true;
                }
            }
            return false;
        }
        return id % parallelism == subtask;
    }

    /** The writer id new transactions are named with. */
    int namingId() {
        return owned[0];
    }

    /** One state per owned id; the pending gids go with the id that names them. */
    List<PostgresWriterState> snapshot(List<String> pendingGids) {
        List<PostgresWriterState> states = new ArrayList<>(owned.length);
        for (int i = 0; i < owned.length; i++) {
            states.add(
                    PostgresWriterState.of(
                            owned[i], ownedIdCount, i == 0 ? pendingGids : List.of()));
        }
        return states;
    }

    @Override
    public String toString() {
        return "owns writer ids "
                + Arrays.toString(owned)
                + " of "
                + ownedIdCount
                + " (and every id >= "
                + ownedIdCount
                + " with id % "
                + parallelism
                + " == "
                + subtask
                + ")";
    }
}
