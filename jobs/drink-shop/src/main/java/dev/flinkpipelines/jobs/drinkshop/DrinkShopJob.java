package dev.flinkpipelines.jobs.drinkshop;

import dev.flinkpipelines.common.deadletter.DeadLetterRows;
import dev.flinkpipelines.common.events.DrinkOrder;
import dev.flinkpipelines.common.events.InventoryEvent;
import dev.flinkpipelines.common.events.MenuUpdate;
import dev.flinkpipelines.common.kafka.ParsedSource;
import dev.flinkpipelines.common.metrics.LateRecordCounter;
import dev.flinkpipelines.common.options.CommandLine;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.Flag;
import dev.flinkpipelines.common.options.JobMain;
import dev.flinkpipelines.common.options.RegisteredJob;
import dev.flinkpipelines.common.options.StreamingJob;
import dev.flinkpipelines.common.parse.DrinkOrderParser;
import dev.flinkpipelines.common.parse.InventoryEventParser;
import dev.flinkpipelines.common.parse.MenuUpdateParser;
import dev.flinkpipelines.common.postgres.TableOutput;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableRowTypeInfo;
import dev.flinkpipelines.common.postgres.TableSink;
import dev.flinkpipelines.common.time.CheckpointedWatermark;
import dev.flinkpipelines.common.time.EventTimeCoProcessOperator;
import dev.flinkpipelines.common.time.EventTimeProcessOperator;
import dev.flinkpipelines.common.time.EventTimeWindowOperator;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Joins each order line with the menu version valid at the order's time, counts item sales per
 * minute, keeps stock per item and raises one alert per crossing below a threshold — every table
 * through one exactly-once sink.
 */
public final class DrinkShopJob {

    public static final String NAME = "drink-shop";

    static final Flag<String> ORDERS_TOPIC =
            Flag.string("orders-topic", "orders", "Kafka topic of drinks orders");
    static final Flag<String> MENU_TOPIC =
            Flag.string("menu-topic", "menu_updates", "Kafka topic of the menu changelog");
    static final Flag<String> INVENTORY_TOPIC =
            Flag.string("inventory-topic", "inventory_events", "Kafka topic of stock movements");
    static final Flag<Integer> ALERT_THRESHOLD =
            Flag.integer(
                    "stock-alert-threshold",
                    0,
                    10,
                    "alert once when an item's stock falls below this");
    static final Flag<Duration> ALLOWED_LATENESS =
            Flag.duration(
                    "allowed-lateness",
                    Duration.ofMinutes(1),
                    Duration.ZERO,
                    "a late order line within this still updates item_sales_1m");

    private static final OutputTag<EnrichedLine> TOO_LATE =
            new OutputTag<>("too-late", TypeInformation.of(EnrichedLine.class));

    private DrinkShopJob() {}

    public static CommandLine commandLine() {
        return CommonFlags.forJob(
                        NAME,
                        "Drinks shop: Kafka orders, menu_updates, inventory_events -> PostgreSQL"
                                + " order_items_enriched, item_sales_1m, inventory_levels, inventory_alerts, exactly once.")
                .add(ORDERS_TOPIC, MENU_TOPIC, INVENTORY_TOPIC, ALERT_THRESHOLD, ALLOWED_LATENESS);
    }

    public static void main(String[] args) {
        JobMain.run(args, JOB);
    }

    /** The job as {@code flink run} and the demo see it. */
    public static final StreamingJob JOB =
            StreamingJob.of(
                    NAME,
                    DrinkShopJob::commandLine,
                    args ->
                            List.of(
                                    args.get(ORDERS_TOPIC),
                                    args.get(MENU_TOPIC),
                                    args.get(INVENTORY_TOPIC)),
                    List.of(
                            "order_items_enriched",
                            "item_sales_1m",
                            "inventory_levels",
                            "inventory_alerts",
                            DeadLetterRows.TABLE_NAME),
                    DrinkShopJob::build);

    /** Lists the job for the tools that run every job ({@link RegisteredJob#all()}). */
    public static final class Registration extends RegisteredJob {
        public Registration() {
            super(JOB);
        }
    }

    /** The job's real ends: its three Kafka topics in, its tables out through {@code tables}. */
    static void build(StreamExecutionEnvironment env, ParsedArgs args, TableSink tables) {
        Inputs in = Inputs.fromKafka(env, args);
        tables.write(
                pipeline(
                        in.menu(),
                        in.orders(),
                        in.inventory(),
                        args.get(ALERT_THRESHOLD),
                        args.get(ALLOWED_LATENESS)));
    }

    /** The job's inputs: its three topics, parsed. */
    record Inputs(
            ParsedSource<MenuUpdate> menu,
            ParsedSource<DrinkOrder> orders,
            ParsedSource<InventoryEvent> inventory) {

        static Inputs fromKafka(StreamExecutionEnvironment env, ParsedArgs args) {
            // the menu changelog is small and rare: one reader. With one per subtask, the readers
            // left without a partition of the (one-partition) topic held the join's watermark back
            // for the idle timeout after the start and after every restart, and very late lines
            // and stock changes were then judged without a watermark (found by
            // e2e/FaultInjectionIT)
            return new Inputs(
                    ParsedSource.fromKafka(
                            env,
                            args,
                            NAME,
                            MENU_TOPIC,
                            new MenuUpdateParser(),
                            MenuUpdate.class,
                            1),
                    ParsedSource.fromKafka(
                            env,
                            args,
                            NAME,
                            ORDERS_TOPIC,
                            new DrinkOrderParser(),
                            DrinkOrder.class),
                    ParsedSource.fromKafka(
                            env,
                            args,
                            NAME,
                            INVENTORY_TOPIC,
                            new InventoryEventParser(),
                            InventoryEvent.class));
        }
    }

    /**
     * The job between its ends: parsed menu updates, orders and stock movements (and their dead
     * letters) in; rows of every drink-shop table and {@code dead_letters} out. Stock levels get
     * several rows per item.
     */
    public static TableOutput pipeline(
            ParsedSource<MenuUpdate> menu,
            ParsedSource<DrinkOrder> orders,
            ParsedSource<InventoryEvent> inventory,
            int alertThreshold,
            Duration allowedLateness) {
        DataStream<OrderLine> lines =
                orders.events()
                        .flatMap(
                                (DrinkOrder o, Collector<OrderLine> out) ->
                                        OrderLine.of(o).forEach(out::collect))
                        .returns(OrderLine.class)
                        .name("Order lines");
        // Flink's keyed co-process, window and keyed process operators, each keeping its watermark
        // across restores and firing every event-time timer at end of input (drain after idleness)
        DataStream<EnrichedLine> enriched =
                menu.events()
                        .keyBy(MenuUpdate::menuId, Types.STRING)
                        .connect(lines.keyBy(OrderLine::menuId, Types.STRING))
                        .transform(
                                "Menu version at order time",
                                TypeInformation.of(EnrichedLine.class),
                                new EventTimeCoProcessOperator<>(
                                        new MenuTemporalJoin(),
                                        CheckpointedWatermark.EndOfInput.FIRE_ALL_TIMERS))
                        .uid("menu-temporal-join")
                        .name("Menu version at order time");

        DataStream<TableRow> itemRows =
                enriched.map(DrinkShopRows::orderItem)
                        .returns(TableRowTypeInfo.INSTANCE)
                        .name("To order_items_enriched rows");
        KeyedStream<EnrichedLine, String> byItem =
                enriched.keyBy(e -> e.line().menuId(), Types.STRING);
        SingleOutputStreamOperator<TableRow> salesRows =
                byItem.transform(
                                "Item sales per minute",
                                TableRowTypeInfo.INSTANCE,
                                EventTimeWindowOperator.aggregate(
                                        byItem,
                                        TumblingEventTimeWindows.of(Duration.ofMinutes(1)),
                                        allowedLateness,
                                        TOO_LATE,
                                        new ItemSales.Sum(),
                                        new ItemSales.ToRow(),
                                        TypeInformation.of(ItemSales.Totals.class)))
                        .uid("item-sales-1m")
                        .name("Item sales per minute");
        // lines too late for their sales window are still in order_items_enriched and in the stock
        salesRows
                .getSideOutput(TOO_LATE)
                .flatMap(new LateRecordCounter<EnrichedLine>())
                .returns(Types.VOID)
                .uid("late-lines")
                .name("Count late lines");
        DataStream<TableRow> stockRows =
                inventory
                        .events()
                        .map(StockChange::of)
                        .returns(StockChange.class)
                        .union(enriched.map(StockChange::sale).returns(StockChange.class))
                        .keyBy(StockChange::menuId, Types.STRING)
                        .transform(
                                "Stock and alerts",
                                TableRowTypeInfo.INSTANCE,
                                new EventTimeProcessOperator<>(
                                        new StockKeeper(alertThreshold),
                                        CheckpointedWatermark.EndOfInput.FIRE_ALL_TIMERS))
                        .uid("stock-keeper")
                        .name("Stock and alerts");

        DataStream<TableRow> all =
                itemRows.union(
                        salesRows,
                        stockRows,
                        menu.deadLetters(),
                        orders.deadLetters(),
                        inventory.deadLetters());
        return new TableOutput(
                all,
                List.of(
                        DrinkShopRows.ORDER_ITEMS,
                        DrinkShopRows.ITEM_SALES,
                        DrinkShopRows.INVENTORY_LEVELS,
                        DrinkShopRows.INVENTORY_ALERTS,
                        DeadLetterRows.TABLE),
                true);
    }
}
