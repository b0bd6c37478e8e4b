package dev.flinkpipelines.demo.generator;

import dev.flinkpipelines.common.options.CommandLine;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.Flag;
import dev.flinkpipelines.common.options.JobMain;
import dev.flinkpipelines.common.options.Preflight;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Produces realistic events at a steady rate until stopped: {@code acks=all}, idempotent, so
 * what the generator counts as sent is what the broker holds.
 */
public final class Generator implements Runnable {

    public static final Flag<Double> RATE = Flag.decimal("rate", 5.0, "events per second per topic");
    public static final Flag<Double> INVALID = Flag.decimal("invalid-fraction", 0.01, "fraction of invalid records");
    public static final Flag<Double> DUPLICATE = Flag.decimal("duplicate-fraction", 0.01, "fraction of records sent twice");
    public static final Flag<Double> OUT_OF_ORDER = Flag.decimal("out-of-order-fraction", 0.01,
            "fraction of events a few seconds old");
    public static final Flag<Double> LATE = Flag.decimal("late-fraction", 0.01,
            "fraction of events minutes old (beyond the default allowed lateness)");
    static final Flag<String> TOPIC = Flag.string("user-events-topic", "user-events", "topic for user events");

    private final String bootstrapServers;
    private final String topic;
    private final double rate;
    private final UserEventRecords records;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<UserEventRecords.Kind, AtomicLong> sent = new EnumMap<>(UserEventRecords.Kind.class);

    public Generator(String bootstrapServers, String topic, double rate, UserEventRecords.Fractions fractions) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.rate = rate;
        this.records = new UserEventRecords(System.nanoTime(), fractions);
        for (UserEventRecords.Kind kind : UserEventRecords.Kind.values()) {
            sent.put(kind, new AtomicLong());
        }
    }

    public static UserEventRecords.Fractions fractions(ParsedArgs args) {
        return new UserEventRecords.Fractions(args.get(INVALID), args.get(DUPLICATE), args.get(OUT_OF_ORDER), args.get(LATE));
    }

    public static CommandLine commandLine() {
        return new CommandLine("generator", "Produces realistic user-events traffic to Kafka until Ctrl+C.")
                .add(CommonFlags.BOOTSTRAP_SERVERS, TOPIC, RATE, INVALID, DUPLICATE, OUT_OF_ORDER, LATE);
    }

    public static void main(String[] argv) {
        JobMain.run(argv, commandLine(), args -> {
            Preflight.kafka(args.get(CommonFlags.BOOTSTRAP_SERVERS), List.of(args.get(TOPIC)));
            Generator generator = new Generator(args.get(CommonFlags.BOOTSTRAP_SERVERS), args.get(TOPIC), args.get(RATE), fractions(args));
            Runtime.getRuntime().addShutdownHook(new Thread(generator::stop));
            System.out.println("producing " + args.get(RATE) + " events/s to " + args.get(TOPIC) + "; Ctrl+C stops");
            generator.run();
            System.out.println("sent " + generator.sentCounts());
        });
    }

    @Override
    public void run() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "flink-pipelines-generator");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            long intervalNanos = (long) (1_000_000_000L / rate);
            long next = System.nanoTime();
            while (running.get()) {
                long now = System.nanoTime();
                if (now < next) {
                    long sleepNanos = next - now;
                    Thread.sleep(sleepNanos / 1_000_000, (int) (sleepNanos % 1_000_000));
                    continue;
                }
                UserEventRecords.Generated g = records.next(System.currentTimeMillis());
                producer.send(new ProducerRecord<>(topic, null, g.value()));
                sent.get(g.kind()).incrementAndGet();
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

    public Map<UserEventRecords.Kind, Long> sentCounts() {
        Map<UserEventRecords.Kind, Long> counts = new EnumMap<>(UserEventRecords.Kind.class);
        sent.forEach((k, v) -> counts.put(k, v.get()));
        return counts;
    }
}
