package dev.flinkpipelines.e2e;

import static dev.flinkpipelines.generator.DrinkShopRecords.inventoryJson;
import static dev.flinkpipelines.generator.DrinkShopRecords.menuJson;
import static dev.flinkpipelines.generator.OrderEventRecords.orderEventJson;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Continuous load on every input topic of every job for the fault run, at a steady rate, with
 * invalid, resent, out-of-order and very late records — shaped so that an undisturbed run's result
 * is a deterministic function of what lands in the topics, whatever the timing of processing:
 *
 * <ul>
 *   <li><b>Event time is the wall clock at generation</b> and every partition gets records all the
 *       time, so each partition's watermark follows the clock about 5 s behind ({@code
 *       --max-out-of-orderness}, default) and the jobs' combined watermark stays near it.
 *   <li><b>Out of order</b>: 1–3 s older than the clock. A partition's watermark is its newest
 *       event time minus 5 s, so such a record is never behind any watermark: on time for every
 *       job.
 *   <li><b>Resent</b>: the exact bytes of a record sent 2–30 s earlier, same key (so same
 *       partition, after the original). Far inside the dedup horizons (orders 5 min, video-views 24
 *       h), and its event time is at most 30 s behind the clock, so it is inside every allowed
 *       lateness (1 min past a 1-minute window's end) — decided the same way whenever it is
 *       processed.
 *   <li><b>Very late</b>: 5–8 min behind the clock (video views: 3–3.5 h), far beyond any allowed
 *       lateness (the latest a 1-minute window takes a record is 2 min after its start; an hour of
 *       video-views closes 2 h after its start), with minutes of margin for a job that restarts and
 *       catches up. None in the first {@link #WARM_UP_MILLIS}: before the first watermark nothing
 *       is late yet, and that moment is timing.
 *   <li><b>A clean tail</b>: after {@link #stop()} the load goes on for {@link #TAIL_MILLIS} with
 *       normal records only, so every late or resent record is followed by newer ones of every item
 *       (stock levels keep the row of the newest event time) and no decision is pending at the end.
 *   <li><b>drink-shop</b>: menu changes are announced 60 s before they take effect (event time
 *       ahead of the orders), so the temporal join always has a version in state before the
 *       watermark reaches an order line that needs it. Stock thresholds depend on the order changes
 *       are applied in, so only the high-stock items ({@link #RELAXED_ITEMS}) get resent or very
 *       late changes: however those are ordered, stock never nears the threshold. The low-stock
 *       items that cross it ({@link #ALERT_ITEMS}) and the unknown item get only on-time changes,
 *       applied in event-time order. Very late order lines use only items whose menu never changes
 *       ({@link #STABLE_ITEMS}): a very late line finds only the current version in state (older
 *       ones are pruned).
 * </ul>
 *
 * Each record carries headers with what the generator meant it to be ({@value #KIND} and, for
 * invalid ones, the {@value #EXPECTED_ERROR} code); the jobs ignore headers, the test's expectation
 * reads them back with the records.
 */
final class FaultLoad implements Runnable {

    static final String KIND = "fault-run-kind";
    static final String EXPECTED_ERROR = "fault-run-expected-error";

    /**
     * No very late or out-of-order records before this: every job must have a watermark first. The
     * drink-shop's menu topic has one partition, so at parallelism 2 one menu reader has no split
     * and holds the join's watermark at its start until it goes idle (--source-idle-timeout, 30 s
     * after the job starts); only then do a very late line's decisions stop depending on when it
     * came.
     */
    static final long WARM_UP_MILLIS = 50_000;

    static final long TAIL_MILLIS = 15_000;
    static final long MENU_LEAD_MILLIS = 60_000;

    /**
     * Items whose price changes (m-1, m-2) or that are deleted and re-created (m-3); high stock.
     */
    static final List<String> CHANGING_ITEMS = List.of("m-1", "m-2", "m-3");

    /** Low stock, restocked when low: these cross the alert threshold again and again. */
    static final List<String> ALERT_ITEMS = List.of("m-4", "m-5");

    /** Never change after creation; high stock. */
    static final List<String> STABLE_ITEMS = List.of("m-6", "m-7", "m-8");

    /** High stock: a change of these may arrive in any order without crossing the threshold. */
    static final List<String> RELAXED_ITEMS = List.of("m-1", "m-2", "m-3", "m-6", "m-7", "m-8");

    static final String UNKNOWN_ITEM = "m-99";
    static final long HIGH_STOCK = 1_000_000;

    private static final String[][] MENU = {
        {"m-1", "Trà sữa trân châu", "milk tea", "45000"},
        {"m-2", "Cà phê sữa đá", "coffee", "29000"},
        {"m-3", "Trà đào cam sả", "fruit tea", "49000"},
        {"m-4", "Sinh tố bơ", "smoothie", "55000"},
        {"m-5", "Nước ép cam", "juice", "39000"},
        {"m-6", "Bạc xỉu", "coffee", "32000"},
        {"m-7", "Trà chanh", "tea", "25000"},
        {"m-8", "Sữa chua đá", "yoghurt", "30000"},
    };
    private static final String[] EVENT_TYPES = {
        "view", "view", "view", "click", "click", "rate", "Play", "add_to_list"
    };
    private static final String[] ORDER_TYPES = {
        "order_created", "payment_initiated", "payment_success", "payment_failed", "order_cancelled"
    };

    enum Kind {
        SETUP,
        NORMAL,
        OUT_OF_ORDER,
        RESENT,
        VERY_LATE,
        INVALID
    }

    /**
     * What to produce: records per second per main topic, how many records per main topic the run
     * wants at least (the load goes on until {@link #stop()}), the fractions, and a seed for the
     * choices.
     */
    record Settings(
            double ratePerTopic,
            long recordsPerTopic,
            double invalid,
            double resent,
            double outOfOrder,
            double veryLate,
            long seed)
            implements java.io.Serializable {}

    /** Topic names by role: user-events, events_raw, orders, menu, inventory, video-views. */
    private final Map<String, String> topics;

    private final Settings settings;
    private final String bootstrapServers;
    private final Random random;
    private final Map<String, Map<Kind, AtomicLong>> sent = new ConcurrentHashMap<>();
    private final AtomicLong failedSends = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private volatile boolean stopRequested;
    private volatile long startMillis;
    private volatile long lastRecordMillis;
    private volatile boolean finished;

    /**
     * Recently sent valid records per topic role, for resends: (sent at, key, value, resend
     * allowed).
     */
    private final Map<String, Deque<Sent>> recent = new LinkedHashMap<>();

    // drink-shop state as the generator sees it
    private final Map<String, TreeMap<Long, BigDecimal>> menuPrices =
            new LinkedHashMap<>(); // null price = deleted
    private final Map<String, Long> alertStock = new LinkedHashMap<>();
    private long nextMenuChange;
    private int menuChanges;
    private long tick;
    private long orderNo;
    private long dropOrderNo;
    private long sessionNo;

    private record Sent(long at, byte[] key, byte[] value) {}

    FaultLoad(String bootstrapServers, Map<String, String> topics, Settings settings) {
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
        this.settings = settings;
        this.random = new Random(settings.seed());
        for (String role : topics.keySet()) {
            Map<Kind, AtomicLong> counts = new ConcurrentHashMap<>();
            for (Kind kind : Kind.values()) {
                counts.put(kind, new AtomicLong());
            }
            sent.put(role, counts);
            recent.put(role, new ArrayDeque<>());
        }
    }

    /** Ends the load: the clean tail follows, then {@link #run()} returns. */
    void stop() {
        stopRequested = true;
    }

    boolean finished() {
        return finished;
    }

    long startMillis() {
        return startMillis;
    }

    /** Wall-clock time of the last record produced. */
    long lastRecordMillis() {
        return lastRecordMillis;
    }

    /**
     * Records handed to the producer so far for the main topics (user-events, events_raw, orders,
     * video-views), the least of them.
     */
    long minimumSentPerMainTopic() {
        return List.of("user-events", "events_raw", "orders", "video-views").stream()
                .mapToLong(
                        role -> sent.get(role).values().stream().mapToLong(AtomicLong::get).sum())
                .min()
                .orElse(0);
    }

    Map<String, Map<Kind, Long>> sentByTopic() {
        Map<String, Map<Kind, Long>> copy = new LinkedHashMap<>();
        sent.forEach(
                (role, counts) -> {
                    Map<Kind, Long> c = new LinkedHashMap<>();
                    for (Kind kind : Kind.values()) {
                        c.put(kind, counts.get(kind).get());
                    }
                    copy.put(role, c);
                });
        return copy;
    }

    long failedSends() {
        return failedSends.get();
    }

    Exception firstFailure() {
        return firstFailure.get();
    }

    @Override
    public void run() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "fault-run-load");
        // ride out a broker restart: keep retrying a batch for up to 5 minutes before giving up on
        // it
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300000");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L * 1024 * 1024));
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            startMillis = System.currentTimeMillis();
            setUp(producer, startMillis);
            long intervalNanos = (long) (1_000_000_000L / settings.ratePerTopic());
            long next = System.nanoTime();
            long tailStart = -1;
            while (true) {
                long now = System.nanoTime();
                if (now < next) {
                    long sleep = next - now;
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    continue;
                }
                long clock = System.currentTimeMillis();
                // the runner stops the load once it has the records it wants and every fault has
                // played out
                if (stopRequested && tailStart < 0) {
                    tailStart = clock;
                }
                if (tailStart >= 0 && clock - tailStart >= TAIL_MILLIS) {
                    break;
                }
                boolean tail = tailStart >= 0;
                tick(producer, clock, tail);
                lastRecordMillis = clock;
                next += intervalNanos;
                // after a stall (a broker that is down fills the buffer), do not burst more than a
                // second's worth
                next = Math.max(next, System.nanoTime() - 1_000_000_000L);
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            firstFailure.compareAndSet(null, e);
            throw e;
        } finally {
            finished = true;
        }
    }

    // ---- one moment of traffic ----

    private void setUp(KafkaProducer<byte[], byte[]> producer, long now) {
        // the menu, valid from a day before: every order line of the run finds its item (or m-99
        // none)
        long created = now - 86_400_000L;
        for (String[] item : MENU) {
            BigDecimal price = new BigDecimal(item[3]);
            menuPrices.computeIfAbsent(item[0], k -> new TreeMap<>()).put(created, price);
            send(
                    producer,
                    "menu",
                    Kind.SETUP,
                    item[0],
                    menuJson(item[0], "create", item[1], item[2], price, created),
                    null);
        }
        // opening stock, a second before the first order: high for most items (in deliveries of
        // 100,000, the
        // most one inventory event may carry), low for the alert items
        for (String[] item : MENU) {
            if (ALERT_ITEMS.contains(item[0])) {
                alertStock.put(item[0], 40L);
                send(
                        producer,
                        "inventory",
                        Kind.SETUP,
                        item[0],
                        inventoryJson(item[0], 40, "restock", now - 1_000),
                        null);
            } else {
                for (long delivered = 0; delivered < HIGH_STOCK; delivered += 100_000) {
                    send(
                            producer,
                            "inventory",
                            Kind.SETUP,
                            item[0],
                            inventoryJson(item[0], 100_000, "restock", now - 1_000),
                            null);
                }
            }
        }
        nextMenuChange = now;
        producer.flush();
    }

    private void tick(KafkaProducer<byte[], byte[]> producer, long now, boolean tail) {
        tick++;
        userEvent(producer, now, tail);
        orderEvent(producer, now, tail);
        drinkOrder(producer, now, tail);
        videoView(producer, now, tail);
        if (tick % 4 == 0) {
            inventoryEvent(producer, now, tail);
        }
        if (now >= nextMenuChange && !tail) {
            menuChange(producer, now);
            nextMenuChange = now + 20_000;
        }
    }

    /** The kind of the next record of a topic from one roll, honouring warm-up and tail. */
    private Kind roll(long now, boolean tail) {
        if (tail) {
            return Kind.NORMAL;
        }
        double r = random.nextDouble();
        if (r < settings.invalid()) {
            return Kind.INVALID;
        }
        r -= settings.invalid();
        boolean warm = now - startMillis >= WARM_UP_MILLIS;
        if (r < settings.resent()) {
            return now - startMillis >= 3_000 ? Kind.RESENT : Kind.NORMAL;
        }
        r -= settings.resent();
        if (r < settings.outOfOrder()) {
            return warm ? Kind.OUT_OF_ORDER : Kind.NORMAL;
        }
        r -= settings.outOfOrder();
        if (r < settings.veryLate()) {
            return warm ? Kind.VERY_LATE : Kind.NORMAL;
        }
        return Kind.NORMAL;
    }

    private long eventTime(Kind kind, long now, boolean video) {
        switch (kind) {
            case OUT_OF_ORDER:
                return now - 1_000 - random.nextInt(2_001);
            case VERY_LATE:
                return video
                        ? now - 3 * 3_600_000L - random.nextInt(1_800_000)
                        : now - 300_000 - random.nextInt(180_001);
            default:
                return now;
        }
    }

    /**
     * Resends a record sent 2-30 s ago; false when there is none (then a normal record goes
     * instead).
     */
    private boolean resend(KafkaProducer<byte[], byte[]> producer, String role, long now) {
        Deque<Sent> window = recent.get(role);
        while (!window.isEmpty() && now - window.peekFirst().at() > 30_000) {
            window.removeFirst();
        }
        List<Sent> candidates = new ArrayList<>();
        for (Sent s : window) {
            if (now - s.at() >= 2_000) {
                candidates.add(s);
            }
        }
        if (candidates.isEmpty()) {
            return false;
        }
        Sent s = candidates.get(random.nextInt(candidates.size()));
        send(producer, role, Kind.RESENT, s.key(), s.value(), null);
        return true;
    }

    private void remember(String role, long now, String key, String value) {
        recent.get(role)
                .addLast(
                        new Sent(
                                now,
                                key.getBytes(StandardCharsets.UTF_8),
                                value.getBytes(StandardCharsets.UTF_8)));
    }

    // ---- user-events ----

    private void userEvent(KafkaProducer<byte[], byte[]> producer, long now, boolean tail) {
        Kind kind = roll(now, tail);
        if (kind == Kind.RESENT && resend(producer, "user-events", now)) {
            return;
        }
        int user = 1 + skewed(2_000);
        if (kind == Kind.INVALID) {
            invalidUserEvent(producer, user, now);
            return;
        }
        kind = kind == Kind.RESENT ? Kind.NORMAL : kind;
        int movie = 1 + skewed(40);
        String json =
                "{\"user_id\":"
                        + user
                        + ",\"movie_id\":"
                        + movie
                        + ",\"event_type\":\""
                        + EVENT_TYPES[random.nextInt(EVENT_TYPES.length)]
                        + "\",\"timestamp\":"
                        + eventTime(kind, now, false)
                        + "}";
        send(producer, "user-events", kind, String.valueOf(user), json, null);
        remember("user-events", now, String.valueOf(user), json);
    }

    private void invalidUserEvent(KafkaProducer<byte[], byte[]> producer, int user, long now) {
        String key = String.valueOf(user);
        switch (random.nextInt(9)) {
            case 0 ->
                    sendInvalid(
                            producer,
                            "user-events",
                            key,
                            "{\"user_id\":" + user + ",\"movie_id\":",
                            "NOT_JSON");
            case 1 -> sendInvalid(producer, "user-events", key, new byte[0], "EMPTY_RECORD");
            case 2 ->
                    sendInvalid(
                            producer,
                            "user-events",
                            key,
                            concat(
                                    "{\"user_id\":" + user + ",\"movie_id\":3,\"event_type\":\"",
                                    new byte[] {(byte) 0xC3, 0x28},
                                    "\",\"timestamp\":" + now + "}"),
                            "INVALID_UTF8");
            case 3 ->
                    sendInvalid(
                            producer,
                            "user-events",
                            key,
                            "[" + user + ",3,\"view\"]",
                            "NOT_AN_OBJECT");
            case 4 ->
                    sendInvalid(
                            producer,
                            "user-events",
                            key,
                            "{\"user_id\":"
                                    + user
                                    + ",\"event_type\":\"view\",\"timestamp\":"
                                    + now
                                    + "}",
                            "MISSING_FIELD");
            case 5 ->
                    sendInvalid(
                            producer,
                            "user-events",
                            key,
                            "{\"user_id\":\""
                                    + user
                                    + "\",\"movie_id\":3,\"event_type\":\"view\",\"timestamp\":"
                                    + now
                                    + "}",
                            "WRONG_TYPE");
            case 6 ->
                    sendInvalid(
                            producer,
                            "user-events",
                            key,
                            "{\"user_id\":"
                                    + user
                                    + ",\"movie_id\":3,\"event_type\":\"view\",\"timestamp\":"
                                    + now / 1000
                                    + "}",
                            "OUT_OF_RANGE"); // seconds sent as milliseconds
            case 7 ->
                    sendInvalid(
                            producer,
                            "user-events",
                            key,
                            "{\"user_id\":"
                                    + user
                                    + ",\"movie_id\":3,\"event_type\":\""
                                    + "x".repeat(60)
                                    + "\",\"timestamp\":"
                                    + now
                                    + "}",
                            "INVALID_VALUE");
            default ->
                    sendInvalid(
                            producer,
                            "user-events",
                            key,
                            "{\"user_id\":"
                                    + user
                                    + ",\"user_id\":"
                                    + (user + 1)
                                    + ",\"movie_id\":3,\"event_type\":\"view\",\"timestamp\":"
                                    + now
                                    + "}",
                            "NOT_JSON"); // duplicate key
        }
    }

    // ---- events_raw ----

    private void orderEvent(KafkaProducer<byte[], byte[]> producer, long now, boolean tail) {
        Kind kind = roll(now, tail);
        if (kind == Kind.RESENT && resend(producer, "events_raw", now)) {
            return;
        }
        String orderId = "ORD" + (1 + random.nextInt(20_000));
        String id = uuid();
        if (kind == Kind.INVALID) {
            invalidOrderEvent(producer, orderId, id, now);
            return;
        }
        kind = kind == Kind.RESENT ? Kind.NORMAL : kind;
        String type = ORDER_TYPES[random.nextInt(ORDER_TYPES.length)];
        boolean usd = random.nextInt(3) == 0;
        String amount =
                usd
                        ? (1 + random.nextInt(500))
                                + "."
                                + String.format("%02d", random.nextInt(100))
                        : String.valueOf(1_000 * (10 + random.nextInt(5_000)));
        String status =
                type.equals("payment_failed")
                        ? "failed"
                        : type.equals("payment_initiated") ? "pending" : "success";
        String json =
                orderEventJson(
                        id,
                        Instant.ofEpochMilli(eventTime(kind, now, false)).toString(),
                        type,
                        orderId,
                        "USR" + (1 + random.nextInt(3_000)),
                        amount,
                        usd ? "USD" : "VND",
                        status);
        send(producer, "events_raw", kind, orderId, json, null);
        remember("events_raw", now, orderId, json);
    }

    private void invalidOrderEvent(
            KafkaProducer<byte[], byte[]> producer, String orderId, String id, long now) {
        String time = Instant.ofEpochMilli(now).toString();
        switch (random.nextInt(9)) {
            case 0 ->
                    sendInvalid(
                            producer,
                            "events_raw",
                            orderId,
                            "{\"id\":\"" + id + "\",\"eventTime\":\"" + time,
                            "NOT_JSON");
            case 1 ->
                    sendInvalid(
                            producer,
                            "events_raw",
                            orderId,
                            orderEventJson(
                                    "not-a-uuid-" + tick,
                                    time,
                                    "order_created",
                                    orderId,
                                    "USR1",
                                    "10.00",
                                    "USD",
                                    "success"),
                            "INVALID_VALUE");
            case 2 ->
                    sendInvalid(
                            producer,
                            "events_raw",
                            orderId,
                            orderEventJson(
                                    id,
                                    time,
                                    "order_shipped",
                                    orderId,
                                    "USR1",
                                    "10.00",
                                    "USD",
                                    "success"),
                            "INVALID_VALUE");
            case 3 ->
                    sendInvalid(
                            producer,
                            "events_raw",
                            orderId,
                            orderEventJson(
                                    id,
                                    time,
                                    "payment_success",
                                    orderId,
                                    "USR1",
                                    "-5.00",
                                    "USD",
                                    "success"),
                            "OUT_OF_RANGE");
            case 4 ->
                    sendInvalid(
                            producer,
                            "events_raw",
                            orderId,
                            orderEventJson(
                                    id,
                                    time,
                                    "payment_success",
                                    orderId,
                                    "USR1",
                                    "1.005",
                                    "USD",
                                    "success"),
                            "INVALID_VALUE"); // more than 2 decimals: never rounded
            case 5 ->
                    sendInvalid(
                            producer,
                            "events_raw",
                            orderId,
                            orderEventJson(
                                    id,
                                    time,
                                    "payment_success",
                                    orderId,
                                    "USR1",
                                    "\"10.00\"",
                                    "USD",
                                    "success"),
                            "WRONG_TYPE");
            case 6 ->
                    sendInvalid(
                            producer,
                            "events_raw",
                            orderId,
                            "{\"id\":\""
                                    + id
                                    + "\",\"eventTime\":\""
                                    + time
                                    + "\",\"eventType\":\"order_created\",\"userId\":\"USR1\",\"amount\":1,\"currency\":\"VND\",\"status\":\"success\"}",
                            "MISSING_FIELD");
            case 7 ->
                    sendInvalid(
                            producer,
                            "events_raw",
                            orderId,
                            concat(
                                    "{\"id\":\""
                                            + id
                                            + "\",\"eventTime\":\""
                                            + time
                                            + "\",\"eventType\":\"order_created\",\"orderId\":\"",
                                    new byte[] {(byte) 0xFF, (byte) 0xFE},
                                    "\"}"),
                            "INVALID_UTF8");
            default -> sendInvalid(producer, "events_raw", orderId, "   ", "EMPTY_RECORD"); // blank
        }
    }

    // ---- drink-shop ----

    private void menuChange(KafkaProducer<byte[], byte[]> producer, long now) {
        menuChanges++;
        if (menuChanges % 5 == 0) {
            // a bad menu record now and then; the fractions are too small for a topic this quiet
            sendInvalid(
                    producer,
                    "menu",
                    "m-1",
                    "{\"menu_id\":\"m-1\",\"action\":\"rename\",\"timestamp\":\""
                            + Instant.ofEpochMilli(now)
                            + "\"}",
                    "INVALID_VALUE");
            return;
        }
        if (menuChanges % 7 == 0 && !recent.get("menu").isEmpty()) {
            // the same announcement again: the version at that moment does not change
            Sent last = recent.get("menu").peekLast();
            send(producer, "menu", Kind.RESENT, last.key(), last.value(), null);
            return;
        }
        long effective = now + MENU_LEAD_MILLIS;
        String itemId = CHANGING_ITEMS.get(menuChanges % CHANGING_ITEMS.size());
        String[] item = item(itemId);
        TreeMap<Long, BigDecimal> versions = menuPrices.get(itemId);
        BigDecimal current = versions.lastEntry().getValue();
        String json;
        if (itemId.equals("m-3")) {
            // deleted and re-created in turn: lines in between are flagged "deleted"
            if (current != null) {
                versions.put(effective, null);
                json =
                        "{\"menu_id\":\"m-3\",\"action\":\"delete\",\"timestamp\":\""
                                + Instant.ofEpochMilli(effective)
                                + "\"}";
            } else {
                BigDecimal price = new BigDecimal(item[3]);
                versions.put(effective, price);
                json = menuJson(itemId, "create", item[1], item[2], price, effective);
            }
        } else {
            BigDecimal price =
                    current.add(
                                    BigDecimal.valueOf(
                                            1_000L
                                                    * (random.nextBoolean() ? 1 : -1)
                                                    * (1 + random.nextInt(3))))
                            .max(new BigDecimal("10000"));
            versions.put(effective, price);
            json = menuJson(itemId, "update", item[1], item[2], price, effective);
        }
        send(producer, "menu", Kind.NORMAL, itemId, json, null);
        remember("menu", now, itemId, json);
    }

    private void drinkOrder(KafkaProducer<byte[], byte[]> producer, long now, boolean tail) {
        Kind kind = roll(now, tail);
        if (kind == Kind.RESENT && resend(producer, "orders", now)) {
            return;
        }
        String orderId = "D-" + (++dropOrderNo);
        if (kind == Kind.INVALID) {
            invalidDrinkOrder(producer, orderId, now);
            return;
        }
        kind = kind == Kind.RESENT ? Kind.NORMAL : kind;
        long created = eventTime(kind, now, false);
        // very late lines only with items whose menu never changes; resent orders only with
        // high-stock items
        boolean veryLate = kind == Kind.VERY_LATE;
        boolean resendable = !veryLate;
        int n = 1 + random.nextInt(4);
        StringBuilder items = new StringBuilder();
        BigDecimal total = BigDecimal.ZERO;
        for (int k = 0; k < n; k++) {
            String menuId;
            int pick = random.nextInt(100);
            if (veryLate) {
                menuId = STABLE_ITEMS.get(random.nextInt(STABLE_ITEMS.size()));
            } else if (pick < 3) {
                menuId = UNKNOWN_ITEM;
            } else if (pick < 15) {
                menuId = ALERT_ITEMS.get(random.nextInt(ALERT_ITEMS.size()));
            } else {
                menuId = RELAXED_ITEMS.get(random.nextInt(RELAXED_ITEMS.size()));
            }
            resendable &= RELAXED_ITEMS.contains(menuId);
            int qty = 1 + random.nextInt(3);
            BigDecimal price = priceAt(menuId, created);
            if (random.nextInt(20) == 0) {
                price =
                        price.subtract(new BigDecimal("1000"))
                                .max(BigDecimal.ZERO); // an old price on the till
            }
            items.append(k == 0 ? "" : ",")
                    .append("{\"menu_id\":\"")
                    .append(menuId)
                    .append("\",\"qty\":")
                    .append(qty)
                    .append(",\"price\":")
                    .append(price.toPlainString())
                    .append('}');
            total = total.add(price.multiply(BigDecimal.valueOf(qty)));
            if (alertStock.containsKey(menuId)) {
                alertStock.merge(menuId, -(long) qty, Long::sum);
            }
        }
        if (random.nextInt(50) == 0) {
            total = total.add(new BigDecimal("500")); // a till that rounds: flagged, not rejected
        }
        String json =
                "{\"order_id\":\""
                        + orderId
                        + "\",\"user_id\":\"KH"
                        + (100 + random.nextInt(400))
                        + "\",\"items\":["
                        + items
                        + "],\"total\":"
                        + total.toPlainString()
                        + ",\"created_at\":\""
                        + Instant.ofEpochMilli(created)
                        + "\"}";
        send(producer, "orders", kind, orderId, json, null);
        if (resendable) {
            remember("orders", now, orderId, json);
        }
    }

    private BigDecimal priceAt(String menuId, long time) {
        TreeMap<Long, BigDecimal> versions = menuPrices.get(menuId);
        if (versions == null) {
            return new BigDecimal("20000");
        }
        Map.Entry<Long, BigDecimal> version = versions.floorEntry(time);
        return version == null || version.getValue() == null
                ? new BigDecimal(item(menuId)[3])
                : version.getValue();
    }

    private void invalidDrinkOrder(
            KafkaProducer<byte[], byte[]> producer, String orderId, long now) {
        String time = Instant.ofEpochMilli(now).toString();
        switch (random.nextInt(7)) {
            case 0 ->
                    sendInvalid(
                            producer,
                            "orders",
                            orderId,
                            "{\"order_id\":\""
                                    + orderId
                                    + "\",\"user_id\":\"KH1\",\"items\":[],\"total\":0,"
                                    + "\"created_at\":\""
                                    + time
                                    + "\"}",
                            "OUT_OF_RANGE");
            case 1 ->
                    sendInvalid(
                            producer,
                            "orders",
                            orderId,
                            "{\"order_id\":\""
                                    + orderId
                                    + "\",\"user_id\":\"KH1\",\"items\":[{\"menu_id\":"
                                    + "\"m-1\",\"qty\":1,\"price\":45000}],\"total\":45000}",
                            "MISSING_FIELD");
            case 2 ->
                    sendInvalid(
                            producer,
                            "orders",
                            orderId,
                            "{\"order_id\":\""
                                    + orderId
                                    + "\",\"user_id\":\"KH1\",\"items\":[{\"menu_id\":"
                                    + "\"m-1\",\"qty\":0,\"price\":45000}],\"total\":0,\"created_at\":\""
                                    + time
                                    + "\"}",
                            "OUT_OF_RANGE");
            case 3 ->
                    sendInvalid(
                            producer,
                            "orders",
                            orderId,
                            "{\"order_id\":\""
                                    + orderId
                                    + "\",\"user_id\":\"KH1\",\"items\":[{\"menu_id\":"
                                    + "\"m-1\",\"qty\":1,\"price\":\"45000\"}],\"total\":45000,\"created_at\":\""
                                    + time
                                    + "\"}",
                            "WRONG_TYPE");
            case 4 ->
                    sendInvalid(
                            producer,
                            "orders",
                            orderId,
                            "{\"order_id\":\""
                                    + orderId
                                    + "\",\"user_id\":\"KH1\",\"items\":[{\"menu_id\":"
                                    + "\"m-1\",\"qty\":1,\"price\":45000}],\"total\":45000,\"created_at\":\"tomorrow\"}",
                            "INVALID_VALUE");
            case 5 ->
                    sendInvalid(
                            producer,
                            "orders",
                            orderId,
                            "{\"order_id\":\"" + orderId + "\",\"items\":[{",
                            "NOT_JSON");
            default -> sendInvalid(producer, "orders", orderId, "42", "NOT_AN_OBJECT");
        }
    }

    private void inventoryEvent(KafkaProducer<byte[], byte[]> producer, long now, boolean tail) {
        // an alert item that runs low is restocked first, on time
        for (Map.Entry<String, Long> item : alertStock.entrySet()) {
            if (item.getValue() < 15) {
                item.setValue(item.getValue() + 30);
                send(
                        producer,
                        "inventory",
                        Kind.NORMAL,
                        item.getKey(),
                        inventoryJson(item.getKey(), 30, "restock", now),
                        null);
                return;
            }
        }
        Kind kind = roll(now, tail);
        if (kind == Kind.RESENT && resend(producer, "inventory", now)) {
            return;
        }
        if (kind == Kind.INVALID) {
            switch (random.nextInt(5)) {
                case 0 ->
                        sendInvalid(
                                producer,
                                "inventory",
                                "m-7",
                                "{\"menu_id\":\"m-7\",\"delta\":\"5\",\"reason\":\"restock\",\"timestamp\":\""
                                        + Instant.ofEpochMilli(now)
                                        + "\"}",
                                "WRONG_TYPE");
                case 1 ->
                        sendInvalid(
                                producer,
                                "inventory",
                                "m-7",
                                "{\"menu_id\":\"m-7\",\"delta\":200000,\"reason\":\"restock\",\"timestamp\":\""
                                        + Instant.ofEpochMilli(now)
                                        + "\"}",
                                "OUT_OF_RANGE");
                case 2 ->
                        sendInvalid(
                                producer,
                                "inventory",
                                "m-7",
                                "{\"menu_id\":\"m-7\",\"delta\":-1,\"reason\":\"theft\",\"timestamp\":\""
                                        + Instant.ofEpochMilli(now)
                                        + "\"}",
                                "INVALID_VALUE");
                case 3 ->
                        sendInvalid(
                                producer,
                                "inventory",
                                "m-7",
                                "{\"delta\":-1,\"reason\":\"waste\",\"timestamp\":\""
                                        + Instant.ofEpochMilli(now)
                                        + "\"}",
                                "MISSING_FIELD");
                default ->
                        sendInvalid(
                                producer,
                                "inventory",
                                "m-7",
                                "{\"menu_id\":\"m-7\",\"delta\":-1,",
                                "NOT_JSON");
            }
            return;
        }
        kind = kind == Kind.RESENT ? Kind.NORMAL : kind;
        boolean relaxedOnly = kind != Kind.NORMAL;
        String menuId;
        int delta;
        String reason;
        if (!relaxedOnly && random.nextInt(4) == 0) {
            menuId = ALERT_ITEMS.get(random.nextInt(ALERT_ITEMS.size()));
            delta = -1;
            reason = "waste";
            alertStock.merge(menuId, -1L, Long::sum);
        } else {
            menuId = RELAXED_ITEMS.get(random.nextInt(RELAXED_ITEMS.size()));
            boolean restock = random.nextBoolean();
            delta = restock ? 100 : -(1 + random.nextInt(3));
            reason = restock ? "restock" : random.nextBoolean() ? "waste" : "sale";
        }
        String json = inventoryJson(menuId, delta, reason, eventTime(kind, now, false));
        send(producer, "inventory", kind, menuId, json, null);
        if (RELAXED_ITEMS.contains(menuId)) {
            remember("inventory", now, menuId, json);
        }
    }

    // ---- video-views ----

    private void videoView(KafkaProducer<byte[], byte[]> producer, long now, boolean tail) {
        Kind kind = roll(now, tail);
        if (kind == Kind.RESENT && resend(producer, "video-views", now)) {
            return;
        }
        String video = "v" + (1 + skewed(20));
        String id = uuid();
        if (kind == Kind.INVALID) {
            String time = Instant.ofEpochMilli(now).toString();
            switch (random.nextInt(7)) {
                case 0 ->
                        sendInvalid(
                                producer,
                                "video-views",
                                video,
                                viewJson(id, video, time, "90000", "true"),
                                "OUT_OF_RANGE");
                case 1 ->
                        sendInvalid(
                                producer,
                                "video-views",
                                video,
                                viewJson(id, video, time, "\"45\"", "true"),
                                "WRONG_TYPE");
                case 2 ->
                        sendInvalid(
                                producer,
                                "video-views",
                                video,
                                viewJson(id, video, "yesterday", "45", "true"),
                                "INVALID_VALUE");
                case 3 ->
                        sendInvalid(
                                producer,
                                "video-views",
                                video,
                                viewJson(id, video, time, "45", "\"yes\""),
                                "WRONG_TYPE");
                case 4 ->
                        sendInvalid(
                                producer,
                                "video-views",
                                video,
                                "{\"video_id\":\""
                                        + video
                                        + "\",\"user_id\":\"u1\",\"session_id\":\"s1\","
                                        + "\"timestamp\":\""
                                        + time
                                        + "\",\"view_duration\":45}",
                                "MISSING_FIELD");
                case 5 ->
                        sendInvalid(
                                producer,
                                "video-views",
                                video,
                                concat(
                                        "{\"event_id\":\"",
                                        new byte[] {(byte) 0xE2, (byte) 0x82},
                                        "\"}"),
                                "INVALID_UTF8");
                default -> sendInvalid(producer, "video-views", video, "", "EMPTY_RECORD");
            }
            return;
        }
        kind = kind == Kind.RESENT ? Kind.NORMAL : kind;
        // a third are too short to count; the rest watched up to ten minutes
        int duration = random.nextInt(3) == 0 ? random.nextInt(30) : 30 + random.nextInt(570);
        int eligible = random.nextInt(20);
        String json =
                viewJson(
                        id,
                        video,
                        Instant.ofEpochMilli(eventTime(kind, now, true)).toString(),
                        String.valueOf(duration),
                        eligible < 12 ? "true" : eligible < 17 ? "false" : null);
        send(producer, "video-views", kind, video, json, null);
        remember("video-views", now, video, json);
    }

    private String viewJson(
            String id, String video, String time, String duration, String eligible) {
        return "{\"event_id\":\""
                + id
                + "\",\"video_id\":\""
                + video
                + "\",\"user_id\":\"u"
                + (1 + random.nextInt(500))
                + "\",\"session_id\":\"s"
                + (++sessionNo)
                + "\",\"timestamp\":\""
                + time
                + "\",\"view_duration\":"
                + duration
                + ",\"device_type\":\"web\",\"geo_location\":\"VN\",\"referrer\":\"fault-run\",\"quality\":\"1080p\""
                + (eligible == null ? "" : ",\"revenue_eligible\":" + eligible)
                + "}";
    }

    // ---- plumbing ----

    /**
     * A small number, skewed towards 0: a few movies, videos and users take most of the traffic.
     */
    private int skewed(int n) {
        double r = random.nextDouble();
        return (int) (n * r * r);
    }

    private String uuid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private static String[] item(String menuId) {
        for (String[] item : MENU) {
            if (item[0].equals(menuId)) {
                return item;
            }
        }
        throw new IllegalArgumentException(menuId);
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] t = tail.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[h.length + middle.length + t.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(middle, 0, all, h.length, middle.length);
        System.arraycopy(t, 0, all, h.length + middle.length, t.length);
        return all;
    }

    private void sendInvalid(
            KafkaProducer<byte[], byte[]> producer,
            String role,
            String key,
            String value,
            String code) {
        sendInvalid(producer, role, key, value.getBytes(StandardCharsets.UTF_8), code);
    }

    private void sendInvalid(
            KafkaProducer<byte[], byte[]> producer,
            String role,
            String key,
            byte[] value,
            String code) {
        send(producer, role, Kind.INVALID, key.getBytes(StandardCharsets.UTF_8), value, code);
    }

    private void send(
            KafkaProducer<byte[], byte[]> producer,
            String role,
            Kind kind,
            String key,
            String value,
            String code) {
        send(
                producer,
                role,
                kind,
                key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8),
                code);
    }

    private void send(
            KafkaProducer<byte[], byte[]> producer,
            String role,
            Kind kind,
            byte[] key,
            byte[] value,
            String code) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topics.get(role), key, value);
        record.headers().add(new RecordHeader(KIND, kind.name().getBytes(StandardCharsets.UTF_8)));
        if (code != null) {
            record.headers()
                    .add(new RecordHeader(EXPECTED_ERROR, code.getBytes(StandardCharsets.UTF_8)));
        }
        producer.send(
                record,
                (metadata, e) -> {
                    if (e != null) {
                        failedSends.incrementAndGet();
                        firstFailure.compareAndSet(null, e);
                    }
                });
        sent.get(role).get(kind).incrementAndGet();
    }
}
