package dev.flinkpipelines.bench;

import dev.flinkpipelines.generator.DrinkShopRecords;
import dev.flinkpipelines.generator.OrderEventRecords;
import dev.flinkpipelines.generator.TrafficSource;
import dev.flinkpipelines.generator.UserEventRecords;
import dev.flinkpipelines.generator.VideoViewRecords;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Pre-produces a job's input with the project's generators (the demo's realistic traffic with its
 * default 1 % each of invalid, duplicate, out-of-order and late records). Event time runs at {@link
 * #EVENT_RATE} events per second of simulated time ending now, so windows open and close as they
 * would in production instead of all events sharing one instant.
 */
final class EventFeed {

    static final TrafficSource.Fractions DEFAULT_MIX =
            new TrafficSource.Fractions(0.01, 0.01, 0.01, 0.01);
    static final int EVENT_RATE = 5_000;

    private EventFeed() {}

    /** The generators of {@code job}'s topics; the topic names are the bench's. */
    static Map<String, TrafficSource> sources(String job, TrafficSource.Fractions mix, long seed) {
        Map<String, TrafficSource> topics = new LinkedHashMap<>();
        switch (job) {
            case "user-events":
                topics.put("bench-user-events", new UserEventRecords(seed, mix));
                break;
            case "orders":
                topics.put("bench-events-raw", new OrderEventRecords(seed, mix));
                break;
            case "kpi":
                // what the orders job writes to events_clean has the same shape as events_raw
                topics.put("bench-events-clean", new OrderEventRecords(seed, mix));
                break;
            case "drink-shop":
                {
                    List<TrafficSource> shop = new DrinkShopRecords(seed, mix).sources();
                    topics.put("bench-orders", shop.get(0));
                    topics.put("bench-menu-updates", shop.get(1));
                    topics.put("bench-inventory-events", shop.get(2));
                    break;
                }
            case "video-views":
                topics.put("bench-video-views", new VideoViewRecords(seed, mix));
                break;
            default:
                throw new IllegalArgumentException(job);
        }
        return topics;
    }

    static Properties producerProperties(String bootstrapServers, int lingerMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(lingerMs));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "flink-pipelines-bench");
        return p;
    }

    /**
     * Produces {@code n} records in total across the job's topics as fast as Kafka takes them;
     * returns the count per topic.
     */
    static Map<String, Long> preProduce(String bootstrapServers, String job, long n)
            throws Exception {
        Map<String, TrafficSource> topics = sources(job, DEFAULT_MIX, 42);
        Map<String, Long> sent = new LinkedHashMap<>();
        topics.keySet().forEach(t -> sent.put(t, 0L));
        AtomicReference<Exception> failure = new AtomicReference<>();
        long end = System.currentTimeMillis();
        long start = end - n * 1000 / EVENT_RATE;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        producerProperties(bootstrapServers, 20),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            long i = 0;
            while (i < n) {
                long now = start + i * 1000 / EVENT_RATE;
                for (Map.Entry<String, TrafficSource> topic : topics.entrySet()) {
                    if (i >= n) {
                        break;
                    }
                    TrafficSource.Generated g = topic.getValue().next(now);
                    if (g == null) {
                        continue;
                    }
                    producer.send(
                            new ProducerRecord<>(topic.getKey(), null, now, g.key(), g.value()),
                            (m, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                }
                            });
                    sent.merge(topic.getKey(), 1L, Long::sum);
                    i++;
                }
                if (failure.get() != null) {
                    throw failure.get();
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return sent;
    }

    /** Topics a job reads, in the order the job's flags name them. */
    static List<String> topics(String job) {
        return new ArrayList<>(sources(job, DEFAULT_MIX, 0).keySet());
    }
}
