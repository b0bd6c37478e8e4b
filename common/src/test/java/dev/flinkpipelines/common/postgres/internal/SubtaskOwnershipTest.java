package dev.flinkpipelines.common.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.postgres.TableRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every writer id has exactly one owner, across fresh starts, scale-downs and scale-ups. */
class SubtaskOwnershipTest {

    @Test
    void aFreshStartOwnsItsOwnIdAndTheIdsBeyondTheParallelismRoundRobin() {
        SubtaskOwnership zero = SubtaskOwnership.of(0, 2, List.of());
        SubtaskOwnership one = SubtaskOwnership.of(1, 2, List.of());
        assertEquals(0, zero.namingId());
        assertEquals(1, one.namingId());
        assertExactlyOneOwner(List.of(zero, one), 12);
        assertTrue(zero.owns(4));
        assertTrue(one.owns(5));
    }

    @Test
    void aScaleDownGivesOneSubtaskEveryIdOfTheStatesItRestores() {
        // 4 -> 2: Flink hands the four states out two by two
        SubtaskOwnership zero = SubtaskOwnership.of(0, 2, List.of(state(0, 4), state(2, 4)));
        SubtaskOwnership one = SubtaskOwnership.of(1, 2, List.of(state(1, 4), state(3, 4)));
        assertTrue(zero.owns(0) && zero.owns(2) && !zero.owns(1) && !zero.owns(3));
        assertTrue(one.owns(1) && one.owns(3));
        assertExactlyOneOwner(List.of(zero, one), 16);
        // it keeps owning them: one state per owned id, pending gids with the naming id
        List<PostgresWriterState> snapshot = zero.snapshot(List.of("s:0:9:77"));
        assertEquals(
                List.of(
                        PostgresWriterState.of(0, 4, List.of("s:0:9:77")),
                        PostgresWriterState.of(2, 4, List.of())),
                snapshot);
    }

    @Test
    void aScaleUpLeavesTheNewSubtasksTheirOwnIds() {
        // 2 -> 4: subtasks 0 and 1 restore a state each, 2 and 3 none
        List<SubtaskOwnership> owners = new ArrayList<>();
        owners.add(SubtaskOwnership.of(0, 4, List.of(state(0, 2))));
        owners.add(SubtaskOwnership.of(1, 4, List.of(state(1, 2))));
        owners.add(SubtaskOwnership.of(2, 4, List.of()));
        owners.add(SubtaskOwnership.of(3, 4, List.of()));
        assertExactlyOneOwner(owners, 20);
        assertEquals(2, owners.get(2).namingId());
    }

    @Test
    void idsOfAnAttemptThatRanWiderThanAnyCheckpointGoRoundRobin() {
        // restored at 2 from a checkpoint taken at 2, but an attempt in between ran at 6
        SubtaskOwnership zero = SubtaskOwnership.of(0, 2, List.of(state(0, 2)));
        SubtaskOwnership one = SubtaskOwnership.of(1, 2, List.of(state(1, 2)));
        assertTrue(zero.owns(4));
        assertTrue(one.owns(5));
        assertFalse(zero.owns(5));
        assertExactlyOneOwner(List.of(zero, one), 12);
    }

    @Test
    void firstVersionStatesCarryNoOwnership() {
        SubtaskOwnership o =
                SubtaskOwnership.of(
                        1, 3, List.of(PostgresWriterState.carried(List.of(TableRow.of("t", 1)))));
        assertEquals(1, o.namingId());
        assertTrue(o.owns(1) && o.owns(4) && !o.owns(0));
    }

    private static PostgresWriterState state(int owned, int count) {
        return PostgresWriterState.of(owned, count, List.of());
    }

    private static void assertExactlyOneOwner(List<SubtaskOwnership> owners, int ids) {
        for (int id = 0; id < ids; id++) {
            int n = 0;
            for (SubtaskOwnership o : owners) {
                if (o.owns(id)) {
                    n++;
                }
            }
            assertEquals(1, n, "owners of writer id " + id);
        }
    }
}
