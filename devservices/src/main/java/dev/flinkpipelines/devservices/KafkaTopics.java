package dev.flinkpipelines.devservices;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics of a local broker (one replica: it is the only broker), for the tests, the
 * demo and the benchmark.
 */
public final class KafkaTopics {

    private KafkaTopics() {}

    /**
     * Creates {@code topic} with {@code partitions} partitions, through a client with {@code
     * clientProperties} (the bootstrap servers, and a login where the broker wants one); waits up
     * to 30 s for the broker. Fails if the topic exists.
     */
    public static void create(Properties clientProperties, String topic, int partitions)
            throws ExecutionException, InterruptedException, TimeoutException {
        try (Admin admin = Admin.create(clientProperties)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * As {@link #create}, but a topic that exists already is left as it is: an existing Kafka may
     * have it, with partitions of its own choosing.
     */
    public static void createIfMissing(Properties clientProperties, String topic, int partitions)
            throws ExecutionException, InterruptedException, TimeoutException {
        try {
            create(clientProperties, topic, partitions);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}
