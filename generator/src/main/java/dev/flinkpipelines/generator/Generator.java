package dev.flinkpipelines.generator;

import dev.flinkpipelines.common.kafka.KafkaClientConfig;
import dev.flinkpipelines.common.options.CommandLine;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.Flag;
import dev.flinkpipelines.common.options.JobMain;
import dev.flinkpipelines.common.options.Preflight;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces realistic events to every topic at a steady rate until stopped: {@code acks=all},
 * idempotent, so what the generator counts as sent is what the broker holds.
 */
public final class Generator implements Runnable {

    public static final Flag<Double> RATE =
            Flag.decimal("rate", 5.0, "events per second per topic");
    public static final Flag<Double> INVALID =
            Flag.decimal("invalid-fraction", 0.01, "fraction of invalid records");
    public static final Flag<Double> DUPLICATE =
            Flag.decimal("duplicate-fraction", 0.01, "fraction of records sent twice");
    public static final Flag<Double> OUT_OF_ORDER =
            Flag.decimal("out-of-order-fraction", 0.01, "fraction of events a few seconds old");
    public static final Flag<Double> LATE =
            Flag.decimal(
                    "late-fraction",
                    0.01,
                    "fraction of events minutes old (beyond the default allowed lateness)");
    static final Flag<String> USER_EVENTS_TOPIC =
            Flag.string("user-events-topic", "user-events", "topic for user events");
    static final Flag<String> EVENTS_RAW_TOPIC =
            Flag.string("events-raw-topic", "events_raw", "topic for order/payment events");

    private final KafkaClientConfig kafka;
    private final Map<String, TrafficSource> topics;
    private final double rate;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, Map<TrafficSource.Kind, AtomicLong>> sent = new LinkedHashMap<>();

    /**
     * @param topics what to produce, per topic; {@code rate} records per second go to each
     */
    public Generator(KafkaClientConfig kafka, Map<String, TrafficSource> topics, double rate) {
        if (!(rate > 0)) {
            throw new IllegalArgumentException("rate must be > 0: " + rate);
        }
        this.kafka = kafka;
        this.topics = new LinkedHashMap<>(topics);
        this.rate = rate;
        for (String topic : topics.keySet()) {
            Map<TrafficSource.Kind, AtomicLong> counts = new EnumMap<>(TrafficSource.Kind.class);
            for (TrafficSource.Kind kind : TrafficSource.Kind.values()) {
                counts.put(kind, new AtomicLong());
            }
            sent.put(topic, counts);
        }
    }

    public static TrafficSource.Fractions fractions(ParsedArgs args) {
        return new TrafficSource.Fractions(
                args.get(INVALID), args.get(DUPLICATE), args.get(OUT_OF_ORDER), args.get(LATE));
    }

    /**
     * The traffic of every job: user events, order/payment events, and the drink shop's three
     * topics.
     */
    public static Map<String, TrafficSource> allTopics(
            String userEventsTopic, String eventsRawTopic, TrafficSource.Fractions f) {
        long seed = System.nanoTime();
        Map<String, TrafficSource> topics = new LinkedHashMap<>();
        topics.put(userEventsTopic, new UserEventRecords(seed, f));
        topics.put(eventsRawTopic, new OrderEventRecords(seed + 1, f));
        List<TrafficSource> shop = new DrinkShopRecords(seed + 2, f).sources();
        topics.put("orders", shop.get(0));
        topics.put("menu_updates", shop.get(1));
        topics.put("inventory_events", shop.get(2));
        topics.put("video-views", new VideoViewRecords(seed + 3, f));
        return topics;
    }

    public static CommandLine commandLine() {
        return new CommandLine(
                        "generator",
                        "Produces realistic traffic for every job's topics to Kafka until Ctrl+C.")
                .add(
                        CommonFlags.BOOTSTRAP_SERVERS,
                        CommonFlags.KAFKA_PROPERTIES_FILE,
                        CommonFlags.KAFKA_PROPERTY,
                        USER_EVENTS_TOPIC,
                        EVENTS_RAW_TOPIC,
                        RATE,
                        INVALID,
                        DUPLICATE,
                        OUT_OF_ORDER,
                        LATE);
    }

    public static void main(String[] argv) {
        JobMain.run(
                argv,
                commandLine(),
                args -> {
                    KafkaClientConfig kafka = KafkaClientConfig.from(args);
                    Preflight.kafka(
                            kafka,
                            List.of(
                                    args.get(USER_EVENTS_TOPIC),
                                    args.get(EVENTS_RAW_TOPIC),
                                    "orders",
                                    "menu_updates",
                                    "inventory_events",
                                    "video-views"));
                    Generator generator =
                            new Generator(
                                    kafka,
                                    allTopics(
                                            args.get(USER_EVENTS_TOPIC),
                                            args.get(EVENTS_RAW_TOPIC),
                                            fractions(args)),
                                    args.get(RATE));
                    Runtime.getRuntime().addShutdownHook(new Thread(generator::stop));
                    System.out.println(
                            "producing "
                                    + args.get(RATE)
                                    + " events/s to each of "
                                    + generator.topics.keySet()
                                    + "; Ctrl+C stops");
                    generator.run();
                });
    }

    @Override
    public void run() {
        Properties p = new Properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "flink-pipelines-generator");
        // the user's client properties (security settings) and the brokers
        p.putAll(kafka.clientProperties());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            long intervalNanos = (long) (1_000_000_000L / rate);
            long next = System.nanoTime();
            while (running.get()) {
                long now = System.nanoTime();
                if (now < next) {
                    long sleepNanos = next - now;
                    Thread.sleep(sleepNanos / 1_000_000, (int) (sleepNanos % 1_000_000));
                    continue;
                }
                long wallClock = System.currentTimeMillis();
                for (Map.Entry<String, TrafficSource> topic : topics.entrySet()) {
                    TrafficSource.Generated g = topic.getValue().next(wallClock);
                    if (g == null) {
                        continue;
                    }
                    producer.send(new ProducerRecord<>(topic.getKey(), null, g.key(), g.value()));
                    sent.get(topic.getKey()).get(g.kind()).incrementAndGet();
                }
                next += intervalNanos;
                // after a stall, do not burst to catch up more than a second's worth
                next = Math.max(next, System.nanoTime() - 1_000_000_000L);
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void stop() {
        running.set(false);
    }

    /** Records sent to {@code topic}, by kind. */
    public Map<TrafficSource.Kind, Long> sent(String topic) {
        Map<TrafficSource.Kind, Long> counts = new EnumMap<>(TrafficSource.Kind.class);
        sent.get(topic).forEach((k, v) -> counts.put(k, v.get()));
        return counts;
    }

    /** Records sent to every topic. */
    public long sentTotal() {
        return sent.values().stream()
                .flatMap(m -> m.values().stream())
                .mapToLong(AtomicLong::get)
                .sum();
    }
}
