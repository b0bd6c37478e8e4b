package dev.flinkpipelines.jobs.drinkshop;

import dev.flinkpipelines.common.events.MenuUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Event-time temporal join of order lines with the menu changelog, per menu_id: a line gets the
 * menu version valid at its order's {@code created_at} — not the latest one.
 *
 * <p>Menu versions are kept by the time they took effect. A line waits (in state, with an
 * event-time timer) until the watermark reaches its time, so a menu update that precedes it in
 * event time but arrives later is still seen. Then the newest version at or before the line's time
 * decides: a create/update gives name, category and price; a delete, or no version at all, flags
 * the line. Versions older than the newest one at or before the time just settled can never be
 * chosen again and are pruned, so state stays small.
 *
 * <p>A menu update that arrives after the watermark passed its time cannot change lines already
 * emitted; it still applies to later lines.
 *
 * <p>Each key's versions are also held sorted in memory ({@link #sortedVersions}), a copy of the
 * state built on the key's first use after a start or restore and updated with it. Rebuilding the
 * sorted view from the state at every timer cost a scan of every version not yet settled per timer:
 * in BATCH execution, where all of an item's versions arrive before its first line, that was 18 %
 * of the job's CPU (JFR, bench drink-shop). A menu is small, so the copy is too.
 */
public final class MenuTemporalJoin
        extends KeyedCoProcessFunction<String, MenuUpdate, OrderLine, EnrichedLine> {

    private static final long serialVersionUID = 1L;

    private transient MapState<Long, MenuUpdate> versions;
    private transient MapState<Long, List<OrderLine>> waiting;

    /** menu_id -> its versions by time: the same entries as {@link #versions}, sorted. */
    private transient Map<String, NavigableMap<Long, MenuUpdate>> sortedVersions;

    @Override
    public void open(OpenContext openContext) {
        sortedVersions = new HashMap<>();
        versions =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "menu-versions",
                                        Types.LONG,
                                        TypeInformation.of(MenuUpdate.class)));
        waiting =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "waiting-lines",
                                        Types.LONG,
                                        Types.LIST(TypeInformation.of(OrderLine.class))));
    }

    @Override
    public void processElement1(MenuUpdate update, Context ctx, Collector<EnrichedLine> out)
            throws Exception {
        // two updates at the same millisecond: the later-arriving one wins
        versions.put(update.eventTimeMillis(), update);
        sorted(ctx.getCurrentKey()).put(update.eventTimeMillis(), update);
    }

    /**
     * The key's versions, sorted: from memory, or read from the state once after a start or
     * restore.
     */
    private NavigableMap<Long, MenuUpdate> sorted(String menuId) throws Exception {
        NavigableMap<Long, MenuUpdate> sorted = sortedVersions.get(menuId);
        if (sorted == null) {
            sorted = new TreeMap<>();
            for (Map.Entry<Long, MenuUpdate> v : versions.entries()) {
                sorted.put(v.getKey(), v.getValue());
            }
            sortedVersions.put(menuId, sorted);
        }
        return sorted;
    }

    @Override
    public void processElement2(OrderLine line, Context ctx, Collector<EnrichedLine> out)
            throws Exception {
        long time = line.eventTimeMillis();
        List<OrderLine> lines = waiting.get(time);
        if (lines == null) {
            lines = new ArrayList<>();
            ctx.timerService().registerEventTimeTimer(time);
        }
        lines.add(line);
        waiting.put(time, lines);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<EnrichedLine> out)
            throws Exception {
        NavigableMap<Long, MenuUpdate> sorted = sorted(ctx.getCurrentKey());
        List<OrderLine> lines = waiting.get(time);
        if (lines != null) {
            Map.Entry<Long, MenuUpdate> valid = sorted.floorEntry(time);
            for (OrderLine line : lines) {
                out.collect(enrich(line, valid == null ? null : valid.getValue()));
            }
            waiting.remove(time);
        }
        // versions before the newest one at or before this timer's time are unreachable: timers
        // fire
        // in time order, so every line still to come is at or after it. (Not the watermark: when it
        // jumps over many lines at once, their timers are still firing and need older versions.)
        Map.Entry<Long, MenuUpdate> newestSettled = sorted.floorEntry(time);
        if (newestSettled != null) {
            NavigableMap<Long, MenuUpdate> unreachable =
                    sorted.headMap(newestSettled.getKey(), false);
            for (Long older : unreachable.keySet()) {
                versions.remove(older);
            }
            unreachable.clear();
        }
    }

    static EnrichedLine enrich(OrderLine line, MenuUpdate version) {
        if (version == null) {
            return new EnrichedLine(line, null, null, null, EnrichedLine.UNKNOWN);
        }
        if (version.action() == MenuUpdate.Action.DELETE) {
            return new EnrichedLine(line, null, null, null, EnrichedLine.DELETED);
        }
        return new EnrichedLine(
                line, version.name(), version.category(), version.price(), EnrichedLine.OK);
    }
}
