package dev.flinkpipelines.common.time;

import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * An event-time operator's watermark, kept in its checkpoints, and the end of input as the end of
 * event time. Every event-time operator of the suite runs its watermarks through one of these.
 *
 * <p><b>Restores.</b> Flink does not checkpoint watermarks: a restored operator is at {@code
 * Long.MIN_VALUE} until a new watermark arrives, and decides everything in between as if no event
 * time had passed (a purged window reopens, a dedup id is forgotten early, a view hours late
 * counts). So the operator's watermark goes into union operator state at every snapshot, and a
 * restored operator is advanced to it — the minimum over the restored entries, which is
 * conservative across a rescale (with aligned checkpoints every subtask of a keyed operator has the
 * same watermark at the barrier, so the minimum is that watermark). The advance happens lazily,
 * in-band, just before the first element or watermark after the restore: timers that were due are
 * fired then, on the task thread, as a watermark would fire them.
 *
 * <p><b>Never backwards.</b> After a restore the upstream starts again from nothing, and its first
 * watermarks can be below the restored one; they are ignored (Flink's timer service would otherwise
 * move its clock back). A snapshot taken before any watermark arrived keeps the restored value.
 *
 * <p><b>End of input.</b> A drain ({@code flink stop --drain}) or the end of a bounded input ends
 * the input for good, and what waits for event time must come out — but Flink 2.2.1 drops the final
 * {@code MAX_WATERMARK} on an output that announced itself idle (FLINK-40499), so a drain after a
 * quiet period left every window open. So the end of input is handled here, whichever comes first:
 * Flink's {@code endInput} (called on every operator when its input ends for good, never on a plain
 * stop with a savepoint) or an incoming {@code MAX_WATERMARK}, and once. What it does is the
 * operator's {@link EndOfInput}: fire every pending timer (the join's waiting lines, the stock
 * keeper's pending changes), fire the open windows while keeping them, or nothing (dedup and view
 * counting, whose timers only expire state). Never the end of event time for state that a job
 * resumed from a drained savepoint still needs: a drain must not forget dedup ids or purge windows
 * that later events complete.
 *
 * <p>The end of input is not progress of event time and is not checkpointed: a snapshot after it
 * keeps the last real watermark, so a job resumed from a drained savepoint decides as it would have
 * without the drain (what {@code BoundedOneInput#endInput} asks of stateful operators).
 */
public final class CheckpointedWatermark {

    /** Operator state (union list, one entry per subtask). In savepoints: never rename. */
    public static final String STATE_NAME = "checkpointed-watermark";

    /** What advancing the operator means: Flink's own watermark handling (timers, then emit). */
    @FunctionalInterface
    public interface Advance {
        void to(Watermark watermark) throws Exception;
    }

    /** What an operator does when its input ends for good (see the class comment). */
    @FunctionalInterface
    public interface EndOfInput extends java.io.Serializable {
        void run(CheckpointedWatermark watermark) throws Exception;

        /**
         * Event time ends: every pending timer fires (timers that emit what waited for the
         * watermark).
         */
        EndOfInput FIRE_ALL_TIMERS = w -> w.advanceTo(Watermark.MAX_WATERMARK);

        /**
         * Nothing: the timers only expire state, which a job resumed from a drained savepoint still
         * needs.
         */
        EndOfInput KEEP_STATE = w -> {};
    }

    private final ListState<Long> state;
    private final Advance advance;
    private final EndOfInput endOfInput;
    private boolean ended;

    /** The watermark the operator is at. */
    private long current = Long.MIN_VALUE;

    /** The highest watermark applied that is event-time progress (not the end of input). */
    private long reached = Long.MIN_VALUE;

    /** Restored and not applied yet; {@code Long.MIN_VALUE} when nothing is pending. */
    private long pending;

    private CheckpointedWatermark(
            ListState<Long> state, Advance advance, EndOfInput endOfInput, long restored) {
        this.state = state;
        this.advance = advance;
        this.endOfInput = endOfInput;
        this.pending = restored;
    }

    /** Call from the operator's {@code initializeState}: registers the state and reads it back. */
    public static CheckpointedWatermark initialize(
            StateInitializationContext context, Advance advance, EndOfInput endOfInput)
            throws Exception {
        ListState<Long> state =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(STATE_NAME, LongSerializer.INSTANCE));
        long restored = Long.MIN_VALUE;
        if (context.isRestored()) {
            long min = Long.MAX_VALUE;
            boolean any = false;
            for (Long w : state.get()) {
                min = Math.min(min, w);
                any = true;
            }
            // none: a savepoint from before this state existed; the operator starts as Flink would
            restored = any ? min : Long.MIN_VALUE;
        }
        return new CheckpointedWatermark(state, advance, endOfInput, restored);
    }

    /**
     * Before an element: applies a restored watermark not applied yet. Firing timers changes the
     * current key, so the element's key (set by Flink before this call) is put back.
     */
    public void beforeElement(KeyContext keys) throws Exception {
        if (pending != Long.MIN_VALUE) {
            Object key = keys.getCurrentKey();
            catchUp();
            keys.setCurrentKey(key);
        }
    }

    /**
     * The operator's combined input watermark: applied only when it moves event time forward; the
     * final {@code MAX_WATERMARK} of a drain or a bounded input is the end of input.
     */
    public void onWatermark(Watermark mark) throws Exception {
        if (mark.getTimestamp() == Long.MAX_VALUE) {
            endOfInput();
            return;
        }
        catchUp();
        advanceTo(mark);
    }

    /** The operator's input ended for good: its {@link EndOfInput}, once. */
    public void endOfInput() throws Exception {
        if (ended) {
            return;
        }
        ended = true;
        catchUp();
        endOfInput.run(this);
    }

    /** The watermark the operator is at. */
    public long current() {
        return current;
    }

    /** Call from the operator's {@code snapshotState}. */
    public void snapshot() throws Exception {
        state.update(List.of(Math.max(reached, pending)));
    }

    private void catchUp() throws Exception {
        if (pending != Long.MIN_VALUE) {
            long restored = pending;
            pending = Long.MIN_VALUE;
            advanceTo(new Watermark(restored));
        }
    }

    /**
     * Moves the operator's event time forward to {@code mark} (never back): its timers fire, the
     * watermark is emitted.
     */
    public void advanceTo(Watermark mark) throws Exception {
        long time = mark.getTimestamp();
        if (time <= current) {
            return;
        }
        current = time;
        if (time < Long.MAX_VALUE) {
            reached = time;
        }
        advance.to(mark);
    }
}
