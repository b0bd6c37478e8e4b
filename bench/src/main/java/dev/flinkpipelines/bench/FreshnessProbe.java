package dev.flinkpipelines.bench;

import dev.flinkpipelines.generator.TrafficSource;
import dev.flinkpipelines.generator.UserEventRecords;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Freshness of user-events: valid events at a fixed rate, each record's Kafka timestamp kept by
 * partition and offset; meanwhile a poller asks PostgreSQL every {@link #POLL_MS} ms for the
 * highest committed {@code kafka_offset} of each partition (the unique index answers at once). A
 * partition's rows pass one sink subtask in offset order and commit together, so a record is
 * visible from the first poll whose offset reaches it: delay = that poll's time - the record's
 * Kafka timestamp (same clock). The poll period bounds the error (+0..{@value #POLL_MS} ms).
 */
final class FreshnessProbe {

    static final int POLL_MS = 20;

    private final int partitions;
    private final List<List<long[]>> sentByPartition = new ArrayList<>(); // {offset, timestamp}
    private final List<List<long[]>> visibleSteps = new ArrayList<>(); // {pollMillis, maxOffset}
    private final AtomicBoolean polling = new AtomicBoolean(true);
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    FreshnessProbe(int partitions) {
        this.partitions = partitions;
        for (int p = 0; p < partitions; p++) {
            sentByPartition.add(new ArrayList<>());
            visibleSteps.add(new ArrayList<>());
        }
    }

    /** Sends {@code rate} valid events/s for {@code seconds}; returns the achieved rate. */
    double produce(String bootstrapServers, String topic, double rate, long seconds)
            throws Exception {
        TrafficSource source = new UserEventRecords(7, new TrafficSource.Fractions(0, 0, 0, 0));
        long total = (long) (rate * seconds);
        long intervalNanos = (long) (1e9 / rate);
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        EventFeed.producerProperties(bootstrapServers, 0),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (long i = 0; i < total; i++) {
                long due = start + i * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                long now = System.currentTimeMillis();
                TrafficSource.Generated g = source.next(now);
                producer.send(
                        new ProducerRecord<>(topic, null, now, g.key(), g.value()),
                        (m, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            } else {
                                synchronized (sentByPartition) {
                                    sentByPartition
                                            .get(m.partition())
                                            .add(new long[] {m.offset(), m.timestamp()});
                                }
                            }
                        });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return total / ((System.nanoTime() - start) / 1e9);
    }

    /** Polls until {@link #stopPolling}; run on its own thread. */
    void poll(Connection c) {
        try (PreparedStatement s =
                c.prepareStatement(
                        "SELECT max(kafka_offset) FROM user_events WHERE kafka_partition = ?")) {
            long[] last = new long[partitions];
            java.util.Arrays.fill(last, -1);
            while (polling.get()) {
                for (int p = 0; p < partitions; p++) {
                    s.setInt(1, p);
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                        long max = r.getLong(1);
                        if (!r.wasNull() && max > last[p]) {
                            last[p] = max;
                            visibleSteps.get(p).add(new long[] {System.currentTimeMillis(), max});
                        }
                    }
                }
                Thread.sleep(POLL_MS);
            }
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    void stopPolling() {
        polling.set(false);
    }

    /** True once every sent record is visible. */
    boolean allVisible() {
        synchronized (sentByPartition) {
            for (int p = 0; p < partitions; p++) {
                List<long[]> sent = sentByPartition.get(p);
                if (sent.isEmpty()) {
                    continue;
                }
                long maxSent = sent.stream().mapToLong(r -> r[0]).max().getAsLong();
                List<long[]> steps = visibleSteps.get(p);
                if (steps.isEmpty() || steps.get(steps.size() - 1)[1] < maxSent) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Delays in ms of the records that became visible; {@code notVisible[0]} gets the rest. */
    long[] delays(long[] notVisible) throws Exception {
        if (failure.get() != null) {
            throw failure.get();
        }
        List<Long> delays = new ArrayList<>();
        synchronized (sentByPartition) {
            for (int p = 0; p < partitions; p++) {
                List<long[]> steps = visibleSteps.get(p);
                for (long[] record : sentByPartition.get(p)) {
                    long visibleAt = -1;
                    // steps are few (one per commit); a linear scan is fine
                    for (long[] step : steps) {
                        if (step[1] >= record[0]) {
                            visibleAt = step[0];
                            break;
                        }
                    }
                    if (visibleAt < 0) {
                        notVisible[0]++;
                    } else {
                        delays.add(visibleAt - record[1]);
                    }
                }
            }
        }
        return delays.stream().mapToLong(Long::longValue).toArray();
    }
}
