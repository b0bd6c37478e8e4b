package dev.flinkpipelines.testkit.corpus;

import dev.flinkpipelines.testkit.KafkaExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A malformed corpus produced to one Kafka topic, interleaved with valid records so a job is also
 * seen to keep working, with the exact partition, offset and timestamp of every record as the
 * broker acknowledged them.
 */
public final class ProducedCorpus {

    /** A record and where it landed. */
    public record Landed<T>(T record, String topic, int partition, long offset, long timestamp) {
        public String coordinates() {
            return topic + "/" + partition + "@" + offset;
        }
    }

    private final String topic;
    private final List<Landed<MalformedRecord>> malformed;
    private final List<Landed<byte[]>> valid;

    private ProducedCorpus(
            String topic, List<Landed<MalformedRecord>> malformed, List<Landed<byte[]>> valid) {
        this.topic = topic;
        this.malformed = List.copyOf(malformed);
        this.valid = List.copyOf(valid);
    }

    /**
     * Produces {@code corpus} round robin over the topic's {@code partitions}, with the valid
     * records spread evenly between them (also round robin, so every partition's event time moves
     * on), and waits until the broker acknowledged each. Idempotent with {@code acks=all}: each
     * record is in the topic exactly once, in order per partition.
     */
    public static ProducedCorpus produce(
            KafkaExtension kafka,
            String topic,
            int partitions,
            List<MalformedRecord> corpus,
            List<byte[]> validRecords) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        List<Future<RecordMetadata>> malformedSent = new ArrayList<>();
        List<Future<RecordMetadata>> validSent = new ArrayList<>();
        // a valid record after every `every` malformed ones, the rest at the end
        int every = Math.max(1, corpus.size() / Math.max(1, validRecords.size()));
        long firstTimestamp = System.currentTimeMillis();
        long sequence = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < corpus.size(); i++) {
                malformedSent.add(
                        producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        i % partitions,
                                        firstTimestamp + sequence++,
                                        null,
                                        corpus.get(i).value())));
                if ((i + 1) % every == 0 && validSent.size() < validRecords.size()) {
                    int j = validSent.size();
                    validSent.add(
                            producer.send(
                                    new ProducerRecord<>(
                                            topic,
                                            j % partitions,
                                            firstTimestamp + sequence++,
                                            null,
                                            validRecords.get(j))));
                }
            }
            for (int j = validSent.size(); j < validRecords.size(); j++) {
                validSent.add(
                        producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        j % partitions,
                                        firstTimestamp + sequence++,
                                        null,
                                        validRecords.get(j))));
            }
            producer.flush();
            return new ProducedCorpus(
                    topic, landed(corpus, malformedSent), landed(validRecords, validSent));
        }
    }

    /** Records said to have landed where given, for testing the checks on them without Kafka. */
    static ProducedCorpus of(
            String topic, List<Landed<MalformedRecord>> malformed, List<Landed<byte[]>> valid) {
        return new ProducedCorpus(topic, malformed, valid);
    }

    private static <T> List<Landed<T>> landed(List<T> records, List<Future<RecordMetadata>> sent) {
        List<Landed<T>> landed = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            RecordMetadata m;
            try {
                m = sent.get(i).get();
            } catch (Exception e) {
                // a record the broker refused (too large, ...) would make the test prove nothing
                // about it
                throw new IllegalStateException(
                        "record " + i + " of " + records.size() + " was not produced", e);
            }
            landed.add(
                    new Landed<>(
                            records.get(i), m.topic(), m.partition(), m.offset(), m.timestamp()));
        }
        return landed;
    }

    public String topic() {
        return topic;
    }

    /** Every corpus record, in the order of the corpus. */
    public List<Landed<MalformedRecord>> malformed() {
        return malformed;
    }

    /** Every valid record, in the order given. */
    public List<Landed<byte[]>> valid() {
        return valid;
    }
}
