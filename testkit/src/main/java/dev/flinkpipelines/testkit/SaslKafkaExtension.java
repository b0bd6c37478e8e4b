package dev.flinkpipelines.testkit;

import dev.flinkpipelines.devservices.LocalKafka;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.provider.FileConfigProvider;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker that requires authentication: {@link LocalKafka}'s broker (like {@link
 * KafkaExtension}'s, which stays unauthenticated), whose only client listener speaks {@code
 * SASL_PLAINTEXT} and accepts {@code PLAIN}, {@code SCRAM-SHA-256} and {@code SCRAM-SHA-512}. A
 * client without credentials, or with a wrong password, is refused by the broker itself — what a
 * managed Kafka (MSK, Confluent Cloud, Aiven, Strimzi with auth) does.
 *
 * <p>Two users, each with a random password made for this JVM:
 *
 * <ul>
 *   <li>{@link #user()} — the pipeline's user, for the code under test: PLAIN and both SCRAM
 *       mechanisms ({@link #clientProperties(Mechanism)}, or with any password {@link
 *       #clientProperties(Mechanism, String)} for the wrong-password case);
 *   <li>an administrator, used only by this extension (topics, SCRAM credentials, producing and
 *       reading test data) and by the broker for its own inter-broker connections.
 * </ul>
 *
 * Authentication is what is tested here, not authorization: no authorizer runs, so an authenticated
 * user may do anything. SASL_SSL is left out: the 4.2 test kit's broker listener supports only
 * PLAINTEXT and SASL_PLAINTEXT, and TLS adds nothing to what a client must be told to log in.
 *
 * <p>One broker per JVM, started on first use, closed by JUnit after the JVM's last test.
 */
public final class SaslKafkaExtension implements BeforeAllCallback {

    /** The SASL mechanisms the broker accepts, with the client-side login module of each. */
    public enum Mechanism {
        PLAIN("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule"),
        SCRAM_SHA_256("SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule"),
        SCRAM_SHA_512("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule");

        private final String saslName;
        private final String loginModule;

        Mechanism(String saslName, String loginModule) {
            this.saslName = saslName;
            this.loginModule = loginModule;
        }

        /** The value of {@code sasl.mechanism}. */
        public String saslName() {
            return saslName;
        }
    }

    private static final String USER = "pipeline";
    private static final String ADMIN = "kit-admin";

    /** Distinctive, so a test can grep for it in logs and messages and find nothing else. */
    private static final String PASSWORD = "kafka-s3cr3t-" + random();

    private static final String ADMIN_PASSWORD = "kafka-admin-s3cr3t-" + random();
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static KafkaClusterTestKit cluster;

    private static String random() {
        byte[] bytes = new byte[8];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static synchronized KafkaClusterTestKit cluster() {
        if (cluster == null) {
            String jaasProperty = "java.security.auth.login.config";
            String jaasBefore = System.getProperty(jaasProperty);
            try {
                TestKitNodes nodes =
                        LocalKafka.singleNode()
                                // the client listener (and so the inter-broker one) requires SASL;
                                // the
                                // controller listener stays PLAINTEXT, internal to the one process
                                .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                                .build();
                String listener =
                        "listener.name."
                                + nodes.brokerListenerName().value().toLowerCase(Locale.ROOT)
                                + ".";
                KafkaClusterTestKit kit =
                        LocalKafka.withLocalSettings(nodes)
                                .setConfigProp(
                                        "sasl.enabled.mechanisms",
                                        "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512")
                                .setConfigProp("sasl.mechanism.inter.broker.protocol", "PLAIN")
                                // PLAIN's users and passwords, and the broker's own login as the
                                // administrator;
                                // replaces the kit's fixed users (plain-admin / admin-secret and
                                // user1)
                                .setConfigProp(
                                        listener + "plain.sasl.jaas.config",
                                        Mechanism.PLAIN.loginModule
                                                + " required"
                                                + " username=\""
                                                + ADMIN
                                                + "\" password=\""
                                                + ADMIN_PASSWORD
                                                + "\""
                                                + " user_"
                                                + ADMIN
                                                + "=\""
                                                + ADMIN_PASSWORD
                                                + "\""
                                                + " user_"
                                                + USER
                                                + "=\""
                                                + PASSWORD
                                                + "\";")
                                // SCRAM checks against credentials stored in the cluster's metadata
                                // (added below)
                                .setConfigProp(
                                        listener + "scram-sha-256.sasl.jaas.config",
                                        Mechanism.SCRAM_SHA_256.loginModule + " required;")
                                .setConfigProp(
                                        listener + "scram-sha-512.sasl.jaas.config",
                                        Mechanism.SCRAM_SHA_512.loginModule + " required;")
                                // authentication only: the kit would install an ACL authorizer that
                                // denies
                                // everyone but its own administrator
                                .setConfigProp("authorizer.class.name", "")
                                .build();
                cluster = LocalKafka.start(kit);
                Runtime.getRuntime().addShutdownHook(new Thread(SaslKafkaExtension::closeCluster));
                addScramCredentials();
            } catch (Exception e) {
                throw new IllegalStateException(
                        "could not start the test Kafka broker with SASL", e);
            } finally {
                // The kit points the JVM-wide static JAAS configuration at a file of its own users.
                // The broker no longer needs it (every mechanism has its listener property above),
                // and a client that forgot sasl.jaas.config must fail as it would in production:
                // with no static JAAS configuration to fall back on.
                if (jaasBefore == null) {
                    System.clearProperty(jaasProperty);
                } else {
                    System.setProperty(jaasProperty, jaasBefore);
                }
                javax.security.auth.login.Configuration.setConfiguration(null);
            }
        }
        return cluster;
    }

    /** The pipeline user's SCRAM credentials, and a wait until the broker accepts them. */
    private static void addScramCredentials() throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(adminProperties())) {
            // one request per mechanism: the broker refuses to alter a user's credentials twice in
            // one
            for (ScramMechanism mechanism :
                    List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
                admin.alterUserScramCredentials(
                                List.of(
                                        new UserScramCredentialUpsertion(
                                                USER,
                                                new ScramCredentialInfo(mechanism, 8192),
                                                PASSWORD)))
                        .all()
                        .get();
            }
        }
        // the controller stores them; the broker learns them from the metadata log a moment later
        for (Mechanism mechanism : List.of(Mechanism.SCRAM_SHA_256, Mechanism.SCRAM_SHA_512)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                Map<String, Object> p =
                        new LinkedHashMap<>(staticClientProperties(mechanism, USER, PASSWORD));
                p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
                try (Admin admin = Admin.create(p)) {
                    admin.describeCluster().clusterId().get();
                    break;
                } catch (ExecutionException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster();
        TestBrokerClients.closeAfterLastTest(
                context, SaslKafkaExtension.class, SaslKafkaExtension::closeCluster);
    }

    private static synchronized void closeCluster() {
        if (cluster != null) {
            TestBrokerClients.shutDown(cluster);
            cluster = null;
        }
    }

    public String bootstrapServers() {
        return cluster().bootstrapServers();
    }

    /** The pipeline's Kafka user. */
    public String user() {
        return USER;
    }

    /** The pipeline user's password; random per JVM. */
    public String password() {
        return PASSWORD;
    }

    /**
     * Client properties that log in as {@link #user()} with the right password: {@code
     * security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}. No bootstrap servers:
     * those are the job's {@code --bootstrap-servers}.
     */
    public Map<String, String> clientProperties(Mechanism mechanism) {
        return clientProperties(mechanism, PASSWORD);
    }

    /**
     * As {@link #clientProperties(Mechanism)}, with {@code password} instead (e.g. a wrong one).
     */
    public Map<String, String> clientProperties(Mechanism mechanism, String password) {
        cluster();
        return staticClientProperties(mechanism, USER, password);
    }

    /**
     * Client properties whose secret stays in {@code secretsFile}: {@code sasl.jaas.config} is
     * {@code ${file:<secretsFile>:sasl.jaas.config}}, resolved by Kafka's {@link
     * FileConfigProvider} wherever a client is created (the TaskManager, not the submitting
     * machine). Writes {@code secretsFile} (owner-only) holding the real value.
     */
    public Map<String, String> clientPropertiesWithSecretIn(Mechanism mechanism, Path secretsFile) {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig(mechanism, USER, PASSWORD));
        writeProperties(secretsFile, secrets);
        Map<String, String> p = new LinkedHashMap<>(clientProperties(mechanism));
        p.put("config.providers", "file");
        p.put("config.providers.file.class", FileConfigProvider.class.getName());
        p.put(
                SaslConfigs.SASL_JAAS_CONFIG,
                "${file:"
                        + secretsFile.toAbsolutePath()
                        + ":"
                        + SaslConfigs.SASL_JAAS_CONFIG
                        + "}");
        return p;
    }

    /** The {@code sasl.jaas.config} value that logs in as {@code user} with {@code password}. */
    public static String jaasConfig(Mechanism mechanism, String user, String password) {
        return mechanism.loginModule
                + " required username=\""
                + user
                + "\" password=\""
                + password
                + "\";";
    }

    private static Map<String, String> staticClientProperties(
            Mechanism mechanism, String user, String password) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SASL_PLAINTEXT.name);
        p.put(SaslConfigs.SASL_MECHANISM, mechanism.saslName);
        p.put(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig(mechanism, user, password));
        return p;
    }

    /**
     * Writes {@code properties} as a Java properties file (what {@code --kafka-properties-file} and
     * Kafka's FileConfigProvider read), readable by its owner only, as a secret should be.
     */
    public static Path writeProperties(Path file, Map<String, String> properties) {
        Properties p = new Properties();
        p.putAll(properties);
        try {
            Files.deleteIfExists(file);
            Files.createFile(
                    file,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(file)) {
                p.store(out, null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static Map<String, Object> adminProperties() {
        Map<String, Object> p =
                new LinkedHashMap<>(staticClientProperties(Mechanism.PLAIN, ADMIN, ADMIN_PASSWORD));
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        return p;
    }

    /** Creates a topic with a unique name starting with {@code prefix}; returns the name. */
    public String createTopic(String prefix, int partitions) {
        String name = prefix + "-" + TOPICS.incrementAndGet();
        TestBrokerClients.createTopic(administrator(), name, partitions);
        return name;
    }

    /**
     * Produces UTF-8 lines to one partition, in order, as the administrator; waits until all are
     * acknowledged.
     */
    public void produceLines(String topic, int partition, List<String> lines) {
        TestBrokerClients.produce(
                administrator(),
                topic,
                partition,
                lines.stream()
                        .map(l -> l.getBytes(StandardCharsets.UTF_8))
                        .collect(Collectors.toList()));
    }

    /**
     * Every record of a topic visible to a consumer with the given isolation level, read as the
     * administrator.
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, String isolationLevel) {
        return TestBrokerClients.readAll(administrator(), topic, isolationLevel);
    }

    private static Properties administrator() {
        cluster();
        Properties p = new Properties();
        p.putAll(adminProperties());
        return p;
    }
}
