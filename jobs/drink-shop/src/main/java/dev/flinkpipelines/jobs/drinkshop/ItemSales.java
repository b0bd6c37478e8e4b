package dev.flinkpipelines.jobs.drinkshop;

import dev.flinkpipelines.common.postgres.TableRow;
import java.math.BigDecimal;
import java.time.Instant;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** item_sales_1m: quantity and revenue per item per 1-minute event-time window, incrementally. */
final class ItemSales {

    private ItemSales() {}

    /** A Flink POJO: quantity sold and revenue (what customers paid, exact). */
    public static class Totals {
        public long qty;
        public BigDecimal revenue = BigDecimal.ZERO.setScale(2);

        public Totals() {}
    }

    static final class Sum implements AggregateFunction<EnrichedLine, Totals, Totals> {
        private static final long serialVersionUID = 1L;

        @Override
        public Totals createAccumulator() {
            return new Totals();
        }

        @Override
        public Totals add(EnrichedLine e, Totals t) {
            t.qty += e.line().qty();
            t.revenue = t.revenue.add(e.line().lineTotal());
            return t;
        }

        @Override
        public Totals getResult(Totals t) {
            return t;
        }

        @Override
        public Totals merge(Totals a, Totals b) {
            Totals m = new Totals();
            m.qty = a.qty + b.qty;
            m.revenue = a.revenue.add(b.revenue);
            return m;
        }
    }

    static final class ToRow extends ProcessWindowFunction<Totals, TableRow, String, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                String menuId, Context ctx, Iterable<Totals> totals, Collector<TableRow> out) {
            Totals t = totals.iterator().next();
            out.collect(
                    DrinkShopRows.itemSales(
                            ctx.window().getStart(),
                            ctx.window().getEnd(),
                            menuId,
                            t.qty,
                            t.revenue,
                            Instant.now()));
        }
    }
}
