package dev.flinkpipelines.jobs.drinkshop;

import dev.flinkpipelines.common.postgres.TableRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Current stock per item, from inventory events and sales, applied in event-time order (changes
 * wait for the watermark, so the result does not depend on how the two topics interleave). Emits
 * the item's inventory_levels row once per watermark that settles changes of the item — the stock
 * it settled at (the row is an upsert: a row per change would only be overwritten by the next; in
 * BATCH execution one watermark settles an item's whole history, and half a million level rows went
 * through the sink's sort for six items) — and one inventory_alerts row each time the stock crosses
 * below the threshold — not one per event below it; the alert re-arms once the stock is back at or
 * above the threshold.
 */
public final class StockKeeper extends KeyedProcessFunction<String, StockChange, TableRow> {

    private static final long serialVersionUID = 1L;
    private static final Comparator<StockChange> SAME_INSTANT_ORDER =
            Comparator.comparingInt(StockChange::delta)
                    .reversed()
                    .thenComparing(StockChange::cause);

    private final long threshold;
    private transient ValueState<Long> stock;
    private transient ValueState<Boolean> below;
    private transient ValueState<Integer> alerts;
    private transient MapState<Long, List<StockChange>> waiting;

    /** When changes were last applied whose level is not emitted yet; null when it is. */
    private transient ValueState<Long> unshownLevelAsOf;

    public StockKeeper(long threshold) {
        this.threshold = threshold;
    }

    @Override
    public void open(OpenContext openContext) {
        stock = getRuntimeContext().getState(new ValueStateDescriptor<>("stock", Types.LONG));
        below =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("below-threshold", Types.BOOLEAN));
        alerts = getRuntimeContext().getState(new ValueStateDescriptor<>("alerts", Types.INT));
        waiting =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "waiting",
                                        Types.LONG,
                                        Types.LIST(TypeInformation.of(StockChange.class))));
        unshownLevelAsOf =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("unshown-level-as-of", Types.LONG));
    }

    @Override
    public void processElement(StockChange change, Context ctx, Collector<TableRow> out)
            throws Exception {
        List<StockChange> changes = waiting.get(change.eventTime());
        if (changes == null) {
            changes = new ArrayList<>();
            ctx.timerService().registerEventTimeTimer(change.eventTime());
        }
        changes.add(change);
        waiting.put(change.eventTime(), changes);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<TableRow> out) throws Exception {
        List<StockChange> changes = waiting.get(time);
        if (changes != null) {
            waiting.remove(time);
            apply(changes, time, ctx, out);
        }
        Long settledAt = unshownLevelAsOf.value();
        if (settledAt == null) {
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        if (watermark == Long.MAX_VALUE) {
            // the end: every waiting change fires now, and BATCH execution ignores timers
            // registered from here (it quiesces the timer service) — the last one shows the level
            if (!waiting.isEmpty()) {
                return;
            }
        } else if (time < watermark) {
            // the watermark being reached may settle later changes of this item: show the level
            // once, from a timer at the watermark itself, which fires after every earlier one
            // (timers are unique per key and time, so registering it again is free)
            ctx.timerService().registerEventTimeTimer(watermark);
            return;
        }
        unshownLevelAsOf.clear();
        out.collect(
                DrinkShopRows.stockLevel(
                        ctx.getCurrentKey(),
                        stock.value(),
                        Instant.ofEpochMilli(settledAt),
                        Instant.now()));
    }

    private void apply(
            List<StockChange> changes, long time, OnTimerContext ctx, Collector<TableRow> out)
            throws Exception {
        // Changes at the same millisecond arrive in an order nobody controls (two topics, a replay
        // after a restore, BATCH execution's sort by key), and the order decides whether stock
        // crosses the threshold. Apply them in a fixed order — additions first, then by cause —
        // so every run and every replay raises the same alerts under the same alert numbers (the
        // numbers make the inserts idempotent; a replay numbering differently would break that).
        changes.sort(SAME_INSTANT_ORDER);
        String menuId = ctx.getCurrentKey();
        long current = stock.value() == null ? 0 : stock.value();
        boolean wasBelow = Boolean.TRUE.equals(below.value());
        int alertCount = alerts.value() == null ? 0 : alerts.value();
        for (StockChange change : changes) {
            current += change.delta();
            boolean isBelow = current < threshold;
            if (isBelow && !wasBelow) {
                alertCount++;
                out.collect(
                        DrinkShopRows.alert(
                                menuId,
                                alertCount,
                                current,
                                threshold,
                                Instant.ofEpochMilli(time),
                                change.cause()));
            }
            wasBelow = isBelow;
        }
        stock.update(current);
        below.update(wasBelow);
        alerts.update(alertCount);
        unshownLevelAsOf.update(time);
    }
}
