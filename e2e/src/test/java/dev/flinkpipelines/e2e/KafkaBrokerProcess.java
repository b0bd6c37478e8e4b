package dev.flinkpipelines.e2e;

import dev.flinkpipelines.devservices.KafkaTopics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real single-node Kafka (KRaft, broker and controller in one) in a JVM of its own, started from
 * the {@code kafka_2.13} jars on the test class path the way {@code bin/kafka-server-start.sh} does
 * ({@code kafka.Kafka server.properties}). The test kit's broker lives inside the test JVM and
 * cannot be killed; this one can: {@link #kill()} is SIGKILL (no controlled shutdown, no flushed
 * logs), and {@link #start()} brings it back on the same port and the same log directory, so
 * clients reconnect to the address they know and the broker recovers its logs, transaction state
 * and consumer offsets the way a crashed production broker does.
 */
final class KafkaBrokerProcess implements AutoCloseable {

    private final Path home;
    private final int port;
    private final int controllerPort;
    private final Thread killOnExit = new Thread(this::destroy, "kill-kafka-broker");
    private Process process;
    private int starts;

    private KafkaBrokerProcess(Path home, int port, int controllerPort) {
        this.home = home;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /**
     * Writes the configuration, formats the log directory and starts the broker; waits until it
     * serves.
     */
    static KafkaBrokerProcess startFresh(Path home) throws IOException, InterruptedException {
        KafkaBrokerProcess broker =
                new KafkaBrokerProcess(
                        home,
                        StandaloneSessionCluster.freePort(),
                        StandaloneSessionCluster.freePort());
        Runtime.getRuntime().addShutdownHook(broker.killOnExit);
        broker.writeConfiguration();
        broker.format();
        broker.start();
        return broker;
    }

    String bootstrapServers() {
        return "localhost:" + port;
    }

    private Path config() {
        return home.resolve("server.properties");
    }

    private void writeConfiguration() throws IOException {
        Files.createDirectories(home.resolve("logs"));
        List<String> lines =
                new ArrayList<>(
                        List.of(
                                "process.roles=broker,controller",
                                "node.id=1",
                                "controller.quorum.voters=1@localhost:" + controllerPort,
                                "listeners=PLAINTEXT://localhost:"
                                        + port
                                        + ",CONTROLLER://localhost:"
                                        + controllerPort,
                                "advertised.listeners=PLAINTEXT://localhost:" + port,
                                "controller.listener.names=CONTROLLER",
                                "inter.broker.listener.name=PLAINTEXT",
                                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                                "log.dirs=" + home.resolve("data"),
                                // one broker: internal topics cannot have more replicas than that
                                "offsets.topic.replication.factor=1",
                                "transaction.state.log.replication.factor=1",
                                "transaction.state.log.min.isr=1",
                                // the broker's ceiling for the transactional producers of the
                                // orders job (10 min)
                                "transaction.max.timeout.ms=900000",
                                "group.initial.rebalance.delay.ms=0",
                                // fewer internal partitions: less to load after each restart on a
                                // 2-core machine
                                "offsets.topic.num.partitions=10",
                                "transaction.state.log.num.partitions=10",
                                "num.partitions=2",
                                "auto.create.topics.enable=false"));
        Files.write(config(), lines, StandardCharsets.UTF_8);
        Files.writeString(
                home.resolve("log4j2.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = File",
                        "appender.file.name = File",
                        "appender.file.type = File",
                        "appender.file.append = true",
                        "appender.file.fileName = " + home.resolve("kafka.log"),
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
                        // the per-request chatter would drown what a fault run needs: start,
                        // recovery, loading
                        "logger.request.name = kafka.request.logger",
                        "logger.request.level = WARN",
                        ""),
                StandardCharsets.UTF_8);
    }

    private void format() throws IOException, InterruptedException {
        List<String> command = java("kafka-format");
        command.add("kafka.tools.StorageTool");
        command.addAll(
                List.of(
                        "format",
                        "--ignore-formatted",
                        "-t",
                        clusterId(),
                        "-c",
                        config().toString()));
        Process format =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(home.resolve("kafka-format.out").toFile())
                        .start();
        if (!format.waitFor(2, TimeUnit.MINUTES) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException(
                    "formatting the Kafka log directory failed: "
                            + Files.readString(home.resolve("kafka-format.out")));
        }
    }

    /**
     * A KRaft cluster id: 16 random bytes, base64 without padding, as {@code kafka-storage
     * random-uuid} prints.
     */
    private static String clusterId() {
        UUID uuid = UUID.randomUUID();
        byte[] bytes =
                java.nio.ByteBuffer.allocate(16)
                        .putLong(uuid.getMostSignificantBits())
                        .putLong(uuid.getLeastSignificantBits())
                        .array();
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Starts the broker process (again) on the same port and log directory; waits until it answers.
     */
    void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the Kafka broker is already running");
        }
        List<String> command = java("kafka-" + starts);
        command.add("kafka.Kafka");
        command.add(config().toString());
        process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(
                                ProcessBuilder.Redirect.appendTo(
                                        home.resolve("kafka.out").toFile()))
                        .start();
        starts++;
        awaitServing(Duration.ofMinutes(2));
    }

    /** SIGKILL: the broker gets no chance to shut down cleanly, as in a crash or an OOM kill. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    Admin admin() {
        return Admin.create(
                Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers(),
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        10_000,
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        20_000));
    }

    void createTopic(String name, int partitions) {
        Properties client = new Properties();
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try {
            KafkaTopics.create(client, name, partitions);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "could not create topic " + name + " on " + bootstrapServers(), e);
        }
    }

    private void awaitServing(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the Kafka broker exited with "
                                + process.exitValue()
                                + "; see "
                                + home.resolve("kafka.out"));
            }
            try (Admin admin = admin()) {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(
                "the Kafka broker did not serve within "
                        + timeout
                        + " (last error "
                        + last
                        + "); see "
                        + home.resolve("kafka.log"));
    }

    private List<String> java(String name) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // a broker for a test: a small heap, and no JMX/GC logging
        command.addAll(List.of("-Xms256m", "-Xmx768m", "-XX:+UseG1GC"));
        command.add("-Dlog4j2.configurationFile=file:" + home.resolve("log4j2.properties"));
        command.add("-Dkafka.logs.dir=" + home);
        command.add("-cp");
        command.add(testClassPath());
        return command;
    }

    /**
     * The test JVM's class path, which holds kafka_2.13 and its dependencies (through the testkit).
     * Surefire may hand the JVM a manifest-only jar; {@code java -cp} of that jar reads its
     * manifest too.
     */
    private static String testClassPath() {
        return System.getProperty("java.class.path");
    }

    String logTail() {
        try (InputStream in = Files.newInputStream(home.resolve("kafka.log"))) {
            List<String> lines =
                    new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no Kafka log: " + e + ")";
        }
    }

    private void destroy() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway
        }
    }
}
