package dev.flinkpipelines.e2e;

import static dev.flinkpipelines.e2e.TableCheck.row;
import static dev.flinkpipelines.e2e.TableCheck.ts;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What every table must hold after the fault run, computed only from the records in the input
 * topics (read back with their partitions, offsets, timestamps and the generator's headers) and the
 * contracts' rules — never from what a job wrote. It is what an undisturbed run over the same input
 * produces; that is well defined because {@link FaultLoad} shapes the input so no decision depends
 * on when a record is processed (see there), and this class checks that the input really has that
 * shape: a record whose lateness is neither clearly on time nor clearly beyond every allowed
 * lateness stops the test as "input not robust" instead of guessing.
 *
 * <p>Lateness of a record = the newest event time before it in its partition minus its own. The
 * jobs' watermarks trail the newest event time of every partition by 5 s, so:
 *
 * <ul>
 *   <li>{@link Timing#IN_ORDER} (behind by at most {@value #IN_ORDER_MILLIS} ms): never behind any
 *       watermark, applied in event-time order everywhere;
 *   <li>{@link Timing#WITHIN_LATENESS} (at most {@value #WITHIN_LATENESS_MILLIS} ms, the resent
 *       records): may be behind the watermark but inside every allowed lateness (a 1-minute window
 *       takes records until a minute after its end) — counted in windows, dropped by dedup, but
 *       applied out of event-time order by the stock keeper;
 *   <li>{@link Timing#VERY_LATE} (at least 4 min; video views 150 min): beyond every allowed
 *       lateness (a minute window closes 1 min after its end; a video hour 1 h after its end).
 * </ul>
 *
 * <p>Columns not compared, and why: {@code id} of BIGSERIAL tables (insertion order); {@code
 * processed_at}, {@code created_at}, {@code ingest_time}, {@code updated_at}, {@code recorded_at},
 * {@code seen_at} (wall-clock time of processing or commit); {@code late_events.watermark} and
 * {@code late_by_ms} (the watermark when the event was judged depends on processing speed — checked
 * instead to be consistent and beyond the allowed lateness); {@code dead_letters.reason} and {@code
 * raw_text} (wording for people; the error code and the exact bytes are compared); the Kafka
 * offsets of {@code late_events} and of the {@code events_clean} topic (they depend on how the
 * orders job's transactions interleaved; checked instead to point at the record with that event
 * id).
 */
final class Expectation {

    static final long IN_ORDER_MILLIS = 4_500;
    static final long WITHIN_LATENESS_MILLIS = 45_000;
    static final long VERY_LATE_MILLIS = 240_000;
    static final long VERY_LATE_VIEW_MILLIS = 150 * 60_000L;
    static final long MINUTE = 60_000;
    static final long HOUR = 3_600_000;
    static final int STOCK_ALERT_THRESHOLD = 10;
    static final int QUALIFYING_SECONDS = 30;

    enum Timing {
        IN_ORDER,
        WITHIN_LATENESS,
        VERY_LATE
    }

    /**
     * The input's shape does not allow an exact expectation; the message says which record and why.
     */
    static final class NotRobust extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NotRobust(String message) {
            super("input not robust: " + message);
        }
    }

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /**
     * Input topic names by role (user-events, events_raw, events_clean, orders, menu, inventory,
     * video-views).
     */
    private final Map<String, String> topics;

    /** Input records by role. */
    private final Map<String, List<InputRecord>> inputs;

    private final Map<InputRecord, Timing> timing = new HashMap<>();
    private final Map<String, String> deadLetters = new TreeMap<>();

    /** How many input records of each role were checked, and what they were. */
    final Map<String, Map<String, Long>> inputSummary = new LinkedHashMap<>();

    Expectation(Map<String, String> topics, Map<String, List<InputRecord>> inputs) {
        this.topics = topics;
        this.inputs = inputs;
        for (Map.Entry<String, List<InputRecord>> role : inputs.entrySet()) {
            classify(role.getKey(), role.getValue());
        }
    }

    /** An expectation over no input: its checks carry the queries that read the actual rows. */
    static Expectation empty() {
        Map<String, List<InputRecord>> none = new LinkedHashMap<>();
        for (String role : FaultRun.TOPICS.keySet()) {
            if (!role.equals("events_clean")) {
                none.put(role, List.of());
            }
        }
        return new Expectation(FaultRun.TOPICS, none);
    }

    // ---- lateness ----

    private void classify(String role, List<InputRecord> records) {
        long veryLate = role.equals("video-views") ? VERY_LATE_VIEW_MILLIS : VERY_LATE_MILLIS;
        Map<Integer, Long> newest = new HashMap<>();
        long first = Long.MAX_VALUE;
        Map<String, Long> summary = new TreeMap<>();
        for (InputRecord r : records) {
            summary.merge(r.kind() == null ? "NO_HEADER" : r.kind(), 1L, Long::sum);
            if ("INVALID".equals(r.kind())) {
                continue;
            }
            if (r.kind() == null) {
                throw new IllegalStateException(
                        "record "
                                + r.topic()
                                + "/"
                                + r.coordinates()
                                + " has no "
                                + FaultLoad.KIND
                                + " header");
            }
            long time = eventTime(role, r);
            if (role.equals("menu")) {
                continue; // the menu is announced ahead of time; its records are versions, not late
                // or early
            }
            first = Math.min(first, time);
            Long before = newest.get(r.partition());
            long lateness = before == null ? 0 : Math.max(0, before - time);
            Timing t;
            if (lateness <= IN_ORDER_MILLIS) {
                t = Timing.IN_ORDER;
            } else if (lateness <= WITHIN_LATENESS_MILLIS) {
                t = Timing.WITHIN_LATENESS;
            } else if (lateness >= veryLate) {
                t = Timing.VERY_LATE;
                if (before - first < FaultLoad.WARM_UP_MILLIS - 5_000) {
                    throw new NotRobust(
                            r.topic()
                                    + "/"
                                    + r.coordinates()
                                    + " is very late only "
                                    + (before - first)
                                    + " ms into the run, before the jobs surely have a watermark");
                }
            } else {
                throw new NotRobust(
                        r.topic()
                                + "/"
                                + r.coordinates()
                                + " is "
                                + lateness
                                + " ms behind its partition:"
                                + " neither surely on time nor surely beyond every allowed lateness");
            }
            // a resent record is a copy of any earlier one, a very late one included
            boolean meantLate = "VERY_LATE".equals(r.kind());
            if (!"RESENT".equals(r.kind()) && meantLate != (t == Timing.VERY_LATE)) {
                throw new NotRobust(
                        r.topic()
                                + "/"
                                + r.coordinates()
                                + " was generated as "
                                + r.kind()
                                + " but is "
                                + lateness
                                + " ms behind its partition ("
                                + t
                                + ")");
            }
            timing.put(r, t);
            newest.merge(r.partition(), time, Math::max);
        }
        inputSummary.put(role, summary);
    }

    private static long eventTime(String role, InputRecord r) {
        JsonNode json = parse(r);
        switch (role) {
            case "user-events":
                return json.get("timestamp").longValue();
            case "events_raw":
                return instant(json, "eventTime");
            case "orders":
                return instant(json, "created_at");
            case "menu":
            case "inventory":
            case "video-views":
                return instant(json, "timestamp");
            default:
                throw new IllegalArgumentException(role);
        }
    }

    private static JsonNode parse(InputRecord r) {
        try {
            return JSON.readTree(r.value());
        } catch (IOException e) {
            throw new IllegalStateException(
                    "the generator's "
                            + r.kind()
                            + " record "
                            + r.topic()
                            + "/"
                            + r.coordinates()
                            + " is not JSON: "
                            + r.text(),
                    e);
        }
    }

    private static long instant(JsonNode json, String field) {
        return OffsetDateTime.parse(json.get(field).textValue()).toInstant().toEpochMilli();
    }

    private static long floor(long time, long size) {
        return time - Math.floorMod(time, size);
    }

    private List<InputRecord> valid(String role) {
        return inputs.get(role).stream().filter(r -> !"INVALID".equals(r.kind())).toList();
    }

    private void deadLetters(String job, String role) {
        for (InputRecord r : inputs.get(role)) {
            if ("INVALID".equals(r.kind())) {
                deadLetters.put(
                        job + "|" + r.topic() + "|" + r.coordinates(),
                        row(
                                job,
                                r.topic(),
                                r.partition(),
                                r.offset(),
                                r.hex(),
                                r.expectedError(),
                                ts(r.timestamp())));
            }
        }
    }

    /**
     * The first record of each key in processing order; copies of a key must share a partition
     * (they share the Kafka key).
     */
    private static <K> Map<K, List<InputRecord>> copies(
            List<InputRecord> records, java.util.function.Function<InputRecord, K> key) {
        Map<K, List<InputRecord>> copies = new LinkedHashMap<>();
        for (InputRecord r : records) {
            List<InputRecord> same = copies.computeIfAbsent(key.apply(r), k -> new ArrayList<>());
            if (!same.isEmpty() && same.get(0).partition() != r.partition()) {
                throw new NotRobust(
                        "copies of "
                                + key.apply(r)
                                + " are in partitions "
                                + same.get(0).partition()
                                + " and "
                                + r.partition()
                                + ": which one a job sees first is timing");
            }
            same.add(r);
        }
        return copies;
    }

    // ---- the checks ----

    List<TableCheck> checks(List<InputRecord> eventsCleanTopic) {
        List<TableCheck> checks = new ArrayList<>();
        userEvents(checks);
        orders(checks, eventsCleanTopic);
        drinkShop(checks);
        videoViews(checks);
        checks.add(
                new TableCheck(
                        "dead_letters",
                        "job_name|kafka_topic|kafka_partition|kafka_offset|raw_bytes|error_code|kafka_timestamp",
                        deadLetters,
                        "SELECT job_name || '|' || kafka_topic || '|' || kafka_partition || '@' || kafka_offset,"
                                + " job_name, kafka_topic, kafka_partition, kafka_offset, raw_bytes, error_code, kafka_timestamp FROM dead_letters"));
        return checks;
    }

    // docs/CONTRACTS.md: one row per valid record; per movie, type and minute the count of the
    // records not beyond the allowed lateness
    private void userEvents(List<TableCheck> checks) {
        Map<String, String> rows = new TreeMap<>();
        Map<String, Long> activity = new TreeMap<>();
        for (InputRecord r : valid("user-events")) {
            JsonNode json = parse(r);
            long time = json.get("timestamp").longValue();
            int movie = json.get("movie_id").intValue();
            String type = json.get("event_type").textValue().toLowerCase(Locale.ROOT);
            rows.put(
                    r.coordinates(),
                    row(
                            json.get("user_id").intValue(),
                            movie,
                            type,
                            ts(time),
                            r.partition(),
                            r.offset()));
            if (timing.get(r) != Timing.VERY_LATE) {
                activity.merge(row(ts(floor(time, MINUTE)), movie, type), 1L, Long::sum);
            }
        }
        checks.add(
                new TableCheck(
                        "user_events",
                        "user_id|movie_id|event_type|event_timestamp|kafka_partition|kafka_offset",
                        rows,
                        "SELECT kafka_partition || '@' || kafka_offset, user_id, movie_id, event_type, event_timestamp, kafka_partition,"
                                + " kafka_offset FROM user_events"));
        Map<String, String> windows = new TreeMap<>();
        activity.forEach(
                (key, count) -> {
                    String[] k = key.split("\\|");
                    long start = java.time.Instant.parse(k[0]).toEpochMilli();
                    windows.put(key, row(k[0], ts(start + MINUTE), k[1], k[2], count));
                });
        checks.add(
                new TableCheck(
                        "movie_activity_1m",
                        "window_start|window_end|movie_id|event_type|event_count",
                        windows,
                        "SELECT to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || '|' || movie_id || '|' || event_type,"
                                + " window_start, window_end, movie_id, event_type, event_count FROM movie_activity_1m"));
        deadLetters("user-events", "user-events");
    }

    /**
     * A clean order event as the payload fields of docs/CONTRACTS.md, the same rendering for the
     * table, the topic and late_events.
     */
    private record Clean(
            String id,
            long time,
            String type,
            String orderId,
            String userId,
            BigDecimal amount,
            String currency,
            String status,
            InputRecord source) {
        String fields() {
            return row(id, ts(time), type, orderId, userId, amount, currency, status);
        }
    }

    private static Clean clean(InputRecord r) {
        JsonNode json = parse(r);
        return new Clean(
                json.get("id").textValue().toLowerCase(Locale.ROOT),
                instant(json, "eventTime"),
                json.get("eventType").textValue().toLowerCase(Locale.ROOT),
                json.get("orderId").textValue(),
                json.get("userId").textValue(),
                json.get("amount").decimalValue().setScale(2),
                json.get("currency").textValue(),
                json.get("status").textValue().toLowerCase(Locale.ROOT),
                r);
    }

    // the contracts (docs/CONTRACTS.md): dedup by id (first copy wins), the clean stream in
    // PostgreSQL and on Kafka; KPIs of it per currency and minute
    private void orders(List<TableCheck> checks, List<InputRecord> eventsCleanTopic) {
        List<Clean> unique = new ArrayList<>();
        copies(valid("events_raw"), r -> clean(r).id())
                .forEach((id, copies) -> unique.add(clean(copies.get(0))));

        Map<String, String> table = new TreeMap<>();
        Map<String, String> topic = new TreeMap<>();
        for (Clean e : unique) {
            table.put(e.id(), row(e.fields(), e.source().partition(), e.source().offset()));
            topic.put(e.id(), row(e.fields(), e.orderId(), ts(e.time())));
        }
        checks.add(
                new TableCheck(
                        "events_clean",
                        "id|event_time|event_type|order_id|user_id|amount|currency|status|kafka_partition|kafka_offset",
                        table,
                        "SELECT id, id, event_time, event_type, order_id, user_id, amount, currency, status, kafka_partition, kafka_offset"
                                + " FROM events_clean"));

        // the Kafka topic, as the kpi job reads it (read_committed): every clean event once, keyed
        // by order, at its event time
        List<Map.Entry<String, String>> published = new ArrayList<>();
        Map<String, String> coordinates = new HashMap<>();
        for (InputRecord r : eventsCleanTopic) {
            Clean e;
            try {
                e = clean(r);
            } catch (RuntimeException bad) {
                published.add(
                        new AbstractMap.SimpleEntry<>("unreadable " + r.coordinates(), r.text()));
                continue;
            }
            published.add(
                    new AbstractMap.SimpleEntry<>(
                            e.id(), row(e.fields(), r.keyText(), ts(r.timestamp()))));
            coordinates.put(e.id(), r.coordinates());
        }
        TableCheck topicCheck =
                new TableCheck(
                        "Kafka " + topics.get("events_clean") + " (read_committed)",
                        "id|event_time|event_type|order_id|user_id|amount|currency|status|record key|record timestamp",
                        topic,
                        null);
        topicCheck.setActual(TableCheck.group(published));
        checks.add(topicCheck);

        // kpi_1m: every clean event not beyond the allowed lateness, per window and currency;
        // late_events: the others
        Map<String, BigDecimal> revenue = new TreeMap<>();
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, String> late = new TreeMap<>();
        Map<String, String> lateCoordinates = new TreeMap<>();
        Map<String, String> lateJudged = new TreeMap<>();
        List<String> types =
                List.of(
                        "order_created",
                        "payment_initiated",
                        "payment_success",
                        "payment_failed",
                        "order_cancelled");
        for (Clean e : unique) {
            long window = floor(e.time(), MINUTE);
            if (timing.get(e.source()) == Timing.VERY_LATE) {
                late.put(
                        e.id(),
                        row(
                                e.id(),
                                ts(e.time()),
                                e.currency(),
                                ts(window),
                                e.fields(),
                                topics.get("events_clean")));
                lateCoordinates.put(e.id(), coordinates.getOrDefault(e.id(), "(not on the topic)"));
                lateJudged.put(e.id(), "true");
                continue;
            }
            String key = row(ts(window), e.currency());
            counts.computeIfAbsent(key, k -> new long[5])[types.indexOf(e.type())]++;
            revenue.merge(
                    key,
                    e.type().equals("payment_success") ? e.amount() : BigDecimal.ZERO.setScale(2),
                    BigDecimal::add);
        }
        Map<String, String> kpi = new TreeMap<>();
        counts.forEach(
                (key, c) -> {
                    String[] k = key.split("\\|");
                    long start = java.time.Instant.parse(k[0]).toEpochMilli();
                    BigDecimal rev = revenue.get(key);
                    long payments = c[2] + c[3];
                    BigDecimal avg =
                            c[2] == 0
                                    ? null
                                    : rev.divide(BigDecimal.valueOf(c[2]), 2, RoundingMode.HALF_UP);
                    BigDecimal rate =
                            payments == 0
                                    ? null
                                    : BigDecimal.valueOf(c[2] * 100L)
                                            .divide(
                                                    BigDecimal.valueOf(payments),
                                                    2,
                                                    RoundingMode.HALF_UP);
                    kpi.put(
                            key,
                            row(
                                    k[0],
                                    ts(start + MINUTE),
                                    k[1],
                                    rev,
                                    c[0],
                                    c[1],
                                    c[2],
                                    c[3],
                                    c[4],
                                    avg,
                                    rate));
                });
        checks.add(
                new TableCheck(
                        "kpi_1m",
                        "window_start|window_end|currency|revenue|orders_created|payments_initiated|payment_success"
                                + "|payment_failed|orders_cancelled|avg_order_value|success_rate",
                        kpi,
                        "SELECT to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || '|' || currency, window_start,"
                                + " window_end, currency, revenue, orders_created, payments_initiated, payment_success, payment_failed, orders_cancelled,"
                                + " avg_order_value, success_rate FROM kpi_1m"));
        checks.add(
                new TableCheck(
                        "late_events",
                        "event_id|event_time|currency|window_start|payload (id|eventTime|eventType|orderId|userId"
                                + "|amount|currency|status)|kafka_topic",
                        late,
                        "SELECT event_id, event_id, event_time, currency, window_start, payload::json->>'id', payload::json->>'eventTime',"
                                + " payload::json->>'eventType', payload::json->>'orderId', payload::json->>'userId', (payload::json->>'amount')::numeric,"
                                + " payload::json->>'currency', payload::json->>'status', kafka_topic FROM late_events"));
        checks.add(
                new TableCheck(
                        "late_events coordinates",
                        "the events_clean record holding the event: partition@offset",
                        lateCoordinates,
                        "SELECT event_id, kafka_partition || '@' || kafka_offset FROM late_events"));
        checks.add(
                new TableCheck(
                        "late_events judgement",
                        "late_by_ms = watermark - event_time, and the watermark past the window's"
                                + " end plus the allowed lateness (1 min)",
                        lateJudged,
                        "SELECT event_id, late_by_ms = (extract(epoch FROM watermark - event_time) * 1000)::bigint"
                                + " AND watermark >= window_start + interval '2 minutes' FROM late_events"));
        deadLetters("orders", "events_raw");
    }

    /** A menu version: what a line at or after {@code time} gets, until the next. */
    private record Version(String action, String name, String category, BigDecimal price) {}

    private record Line(
            String orderId,
            int lineNo,
            String userId,
            String menuId,
            int qty,
            BigDecimal unitPrice,
            long created,
            boolean totalMismatch,
            InputRecord source) {
        BigDecimal lineTotal() {
            return unitPrice.multiply(BigDecimal.valueOf(qty));
        }
    }

    private static List<Line> lines(InputRecord r) {
        JsonNode json = parse(r);
        List<Line> lines = new ArrayList<>();
        BigDecimal sum = BigDecimal.ZERO;
        for (JsonNode item : json.get("items")) {
            sum =
                    sum.add(
                            item.get("price")
                                    .decimalValue()
                                    .multiply(BigDecimal.valueOf(item.get("qty").intValue())));
        }
        boolean mismatch = sum.compareTo(json.get("total").decimalValue()) != 0;
        int lineNo = 0;
        for (JsonNode item : json.get("items")) {
            lines.add(
                    new Line(
                            json.get("order_id").textValue(),
                            ++lineNo,
                            json.get("user_id").textValue(),
                            item.get("menu_id").textValue(),
                            item.get("qty").intValue(),
                            item.get("price").decimalValue().setScale(2),
                            instant(json, "created_at"),
                            mismatch,
                            r));
        }
        return lines;
    }

    /**
     * A change of stock in the order the job applies them at one instant: additions first, then by
     * cause.
     */
    private record Change(long time, int delta, String cause, Timing timing, boolean opening) {}

    // docs/CONTRACTS.md: each line with the menu version valid at its order's time; sales per item
    // and minute; stock and alerts
    private void drinkShop(List<TableCheck> checks) {
        Map<String, TreeMap<Long, Version>> menu = new HashMap<>();
        Map<String, Integer> menuRecords = new HashMap<>();
        for (InputRecord r : valid("menu")) {
            JsonNode json = parse(r);
            String action = json.get("action").textValue().toLowerCase(Locale.ROOT);
            String id = json.get("menu_id").textValue();
            // two versions at the same millisecond: the later record wins (one partition: offset
            // order)
            menu.computeIfAbsent(id, k -> new TreeMap<>())
                    .put(
                            instant(json, "timestamp"),
                            action.equals("delete")
                                    ? new Version(action, null, null, null)
                                    : new Version(
                                            action,
                                            json.get("name").textValue(),
                                            json.get("category").textValue(),
                                            json.get("price").decimalValue().setScale(2)));
            menuRecords.merge(id, 1, Integer::sum);
        }

        Map<String, String> items = new TreeMap<>();
        Map<String, Set<String>> itemCoordinates = new TreeMap<>();
        Map<String, Long> qty = new TreeMap<>();
        Map<String, BigDecimal> revenue = new TreeMap<>();
        Map<String, List<Change>> changes = new TreeMap<>();
        Map<String, List<InputRecord>> orders =
                copies(valid("orders"), r -> parse(r).get("order_id").textValue());
        for (List<InputRecord> copies : orders.values()) {
            for (int copy = 0; copy < copies.size(); copy++) {
                InputRecord r = copies.get(copy);
                Timing t = timing.get(r);
                for (Line line : lines(r)) {
                    String key = line.orderId() + "|" + line.lineNo();
                    if (copy == 0) {
                        TreeMap<Long, Version> versions = menu.get(line.menuId());
                        if (t == Timing.VERY_LATE
                                && versions != null
                                && menuRecords.get(line.menuId()) > 1) {
                            throw new NotRobust(
                                    "very late line "
                                            + key
                                            + " ("
                                            + r.coordinates()
                                            + ") is for "
                                            + line.menuId()
                                            + ", whose menu changes: the job finds only the versions it has not pruned yet");
                        }
                        Map.Entry<Long, Version> valid =
                                versions == null ? null : versions.floorEntry(line.created());
                        Version v = valid == null ? null : valid.getValue();
                        String status =
                                v == null
                                        ? "unknown"
                                        : v.action().equals("delete") ? "deleted" : "ok";
                        BigDecimal menuPrice = status.equals("ok") ? v.price() : null;
                        boolean priceMismatch =
                                menuPrice != null && menuPrice.compareTo(line.unitPrice()) != 0;
                        items.put(
                                key,
                                row(
                                        line.orderId(),
                                        line.lineNo(),
                                        line.userId(),
                                        line.menuId(),
                                        status.equals("ok") ? v.name() : null,
                                        status.equals("ok") ? v.category() : null,
                                        line.qty(),
                                        line.unitPrice(),
                                        line.lineTotal(),
                                        menuPrice,
                                        status,
                                        priceMismatch,
                                        line.totalMismatch(),
                                        ts(line.created())));
                    }
                    // every copy of an order is a sale: the job has no dedup for drink orders (the
                    // contract asks for none)
                    itemCoordinates
                            .computeIfAbsent(key, k -> new LinkedHashSet<>())
                            .add(r.coordinates());
                    if (t != Timing.VERY_LATE) {
                        String window = row(ts(floor(line.created(), MINUTE)), line.menuId());
                        qty.merge(window, (long) line.qty(), Long::sum);
                        revenue.merge(window, line.lineTotal(), BigDecimal::add);
                    }
                    changes.computeIfAbsent(line.menuId(), k -> new ArrayList<>())
                            .add(
                                    new Change(
                                            line.created(),
                                            -line.qty(),
                                            "order " + line.orderId() + "#" + line.lineNo(),
                                            t,
                                            false));
                }
            }
        }
        checks.add(
                new TableCheck(
                        "order_items_enriched",
                        "order_id|line_no|user_id|menu_id|name|category|qty|unit_price|line_total"
                                + "|menu_price|menu_status|price_mismatch|order_total_mismatch|created_at",
                        items,
                        "SELECT order_id || '|' || line_no, order_id, line_no, user_id, menu_id, name, category, qty, unit_price, line_total,"
                                + " menu_price, menu_status, price_mismatch, order_total_mismatch, created_at FROM order_items_enriched"));
        // a resent order's lines are the original's but for the coordinates; which copy's the table
        // keeps is the
        // sink's ON CONFLICT DO NOTHING among rows of one transaction: any copy of that order is a
        // true source
        Map<String, String> coordinates = new TreeMap<>();
        itemCoordinates.forEach((key, set) -> coordinates.put(key, String.join(" or ", set)));
        checks.add(
                new TableCheck(
                        "order_items_enriched coordinates",
                        "kafka_partition@kafka_offset: a copy of the order",
                        coordinates,
                        "SELECT order_id || '|' || line_no, kafka_partition || '@' || kafka_offset FROM order_items_enriched",
                        (expected, actual) -> List.of(expected.split(" or ")).contains(actual)));

        Map<String, String> sales = new TreeMap<>();
        qty.forEach(
                (key, q) -> {
                    String[] k = key.split("\\|");
                    long start = java.time.Instant.parse(k[0]).toEpochMilli();
                    sales.put(key, row(k[0], ts(start + MINUTE), k[1], q, revenue.get(key)));
                });
        checks.add(
                new TableCheck(
                        "item_sales_1m",
                        "window_start|window_end|menu_id|qty|revenue",
                        sales,
                        "SELECT to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || '|' || menu_id, window_start,"
                                + " window_end, menu_id, qty, revenue FROM item_sales_1m"));

        for (InputRecord r : valid("inventory")) {
            JsonNode json = parse(r);
            changes.computeIfAbsent(json.get("menu_id").textValue(), k -> new ArrayList<>())
                    .add(
                            new Change(
                                    instant(json, "timestamp"),
                                    json.get("delta").intValue(),
                                    json.get("reason").textValue().toLowerCase(Locale.ROOT)
                                            + " "
                                            + r.topic()
                                            + "/"
                                            + r.partition()
                                            + "@"
                                            + r.offset(),
                                    timing.get(r),
                                    "SETUP".equals(r.kind())));
        }
        Map<String, String> levels = new TreeMap<>();
        Map<String, String> alerts = new TreeMap<>();
        Comparator<Change> order =
                Comparator.comparingLong(Change::time)
                        .thenComparing(Comparator.comparingInt(Change::delta).reversed())
                        .thenComparing(Change::cause);
        for (Map.Entry<String, List<Change>> item : changes.entrySet()) {
            String menuId = item.getKey();
            List<Change> sorted = new ArrayList<>(item.getValue());
            sorted.sort(order);
            long stock = 0;
            for (Change c : sorted) {
                stock += c.delta();
            }
            levels.put(menuId, row(menuId, stock, ts(sorted.get(sorted.size() - 1).time())));
            boolean allInOrder = sorted.stream().allMatch(c -> c.timing() == Timing.IN_ORDER);
            if (!allInOrder) {
                // changes applied out of event-time order: only safe when no order of them can
                // cross the threshold.
                // The opening stock is applied first: it is dated before the first order, and the
                // very late
                // changes (dated before it) only come after the warm-up, when its moment has long
                // passed.
                long opening =
                        sorted.stream().filter(Change::opening).mapToLong(Change::delta).sum();
                long taken =
                        sorted.stream().filter(c -> c.delta() < 0).mapToLong(c -> -c.delta()).sum();
                if (opening - taken < STOCK_ALERT_THRESHOLD) {
                    throw new NotRobust(
                            "item "
                                    + menuId
                                    + " has changes out of event-time order and could cross the alert threshold"
                                    + " (opening stock "
                                    + opening
                                    + ", "
                                    + taken
                                    + " taken)");
                }
                continue;
            }
            long current = 0;
            boolean below = false;
            int alertNo = 0;
            for (Change c : sorted) {
                current += c.delta();
                boolean isBelow = current < STOCK_ALERT_THRESHOLD;
                if (isBelow && !below) {
                    alertNo++;
                    alerts.put(
                            menuId + "|" + alertNo,
                            row(
                                    menuId,
                                    alertNo,
                                    current,
                                    STOCK_ALERT_THRESHOLD,
                                    ts(c.time()),
                                    c.cause()));
                }
                below = isBelow;
            }
        }
        checks.add(
                new TableCheck(
                        "inventory_levels",
                        "menu_id|stock|as_of",
                        levels,
                        "SELECT menu_id, menu_id, stock, as_of FROM inventory_levels"));
        checks.add(
                new TableCheck(
                        "inventory_alerts",
                        "menu_id|alert_no|stock|threshold|event_time|triggered_by",
                        alerts,
                        "SELECT menu_id || '|' || alert_no, menu_id, alert_no, stock, threshold, event_time, triggered_by FROM inventory_alerts"));
        deadLetters("drink-shop", "menu");
        deadLetters("drink-shop", "orders");
        deadLetters("drink-shop", "inventory");
    }

    // docs/CONTRACTS.md: the first copy of an event id is judged (too short, late, or counted),
    // later copies are duplicates
    private void videoViews(List<TableCheck> checks) {
        Map<String, String> ledger = new TreeMap<>();
        Map<String, long[]> hourly = new TreeMap<>();
        Map<String, List<InputRecord>> views =
                copies(valid("video-views"), r -> parse(r).get("event_id").textValue());
        for (List<InputRecord> copies : views.values()) {
            for (int copy = 0; copy < copies.size(); copy++) {
                InputRecord r = copies.get(copy);
                JsonNode json = parse(r);
                long time = instant(json, "timestamp");
                long hour = floor(time, HOUR);
                int duration = json.get("view_duration").intValue();
                boolean eligible =
                        json.has("revenue_eligible") && json.get("revenue_eligible").booleanValue();
                String reason =
                        copy > 0
                                ? "duplicate"
                                : duration < QUALIFYING_SECONDS
                                        ? "too_short"
                                        : timing.get(r) == Timing.VERY_LATE ? "late" : null;
                ledger.put(
                        r.topic() + "|" + r.coordinates(),
                        row(
                                json.get("event_id").textValue(),
                                json.get("video_id").textValue(),
                                json.get("user_id").textValue(),
                                json.get("session_id").textValue(),
                                ts(time),
                                duration,
                                reason == null,
                                reason,
                                eligible,
                                ts(hour),
                                r.topic(),
                                r.partition(),
                                r.offset()));
                if (reason == null) {
                    long[] c =
                            hourly.computeIfAbsent(
                                    row(ts(hour), json.get("video_id").textValue()),
                                    k -> new long[2]);
                    c[0]++;
                    if (eligible) {
                        c[1]++;
                    }
                }
            }
        }
        checks.add(
                new TableCheck(
                        "view_ledger",
                        "event_id|video_id|user_id|session_id|event_time|view_duration|counted|reason"
                                + "|revenue_eligible|window_start|kafka_topic|kafka_partition|kafka_offset",
                        ledger,
                        "SELECT kafka_topic || '|' || kafka_partition || '@' || kafka_offset, event_id, video_id, user_id, session_id, event_time,"
                                + " view_duration, counted, reason, revenue_eligible, window_start, kafka_topic, kafka_partition, kafka_offset"
                                + " FROM view_ledger"));
        Map<String, String> hours = new TreeMap<>();
        hourly.forEach((key, c) -> hours.put(key, row(key, c[0], c[1])));
        checks.add(
                new TableCheck(
                        "video_views_1h",
                        "window_start|video_id|total_views|revenue_views",
                        hours,
                        "SELECT to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || '|' || video_id, window_start,"
                                + " video_id, total_views, revenue_views FROM video_views_1h"));
        deadLetters("video-views", "video-views");
    }
}
