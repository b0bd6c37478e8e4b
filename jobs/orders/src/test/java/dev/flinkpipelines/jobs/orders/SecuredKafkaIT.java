package dev.flinkpipelines.jobs.orders;

import static dev.flinkpipelines.generator.OrderEventRecords.orderEventJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.options.JobEnvironment;
import dev.flinkpipelines.common.options.JobMain;
import dev.flinkpipelines.testkit.FlinkTestCluster;
import dev.flinkpipelines.testkit.PostgresExtension;
import dev.flinkpipelines.testkit.SaslKafkaExtension;
import dev.flinkpipelines.testkit.SaslKafkaExtension.Mechanism;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orders job against a Kafka broker that requires SASL authentication (issue 15, item 2): its
 * source, its transactional Kafka sink and the preflight check all log in with the client
 * properties of {@code --kafka-properties-file} / {@code --kafka-property}. Orders is the job with
 * both a Kafka source and a Kafka sink, so one run covers every Kafka client a job creates.
 *
 * <p>Each run goes through the job's {@code main} (its testable {@link JobMain#execute}), as {@code
 * flink run} calls it: with credentials it writes exact rows to PostgreSQL and exact committed
 * records to Kafka; without them, or with a wrong password, it stops at the preflight check with
 * one line on stderr that names Kafka and authentication (or, for a client that does not speak SASL
 * and so gets no answer at all, the security settings) — no stack trace, no secret.
 */
class SecuredKafkaIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.create(2);

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension static final SaslKafkaExtension KAFKA = new SaslKafkaExtension();

    private static final AtomicInteger GROUPS = new AtomicInteger();

    @TempDir Path dir;

    @BeforeEach
    void cleanTables() throws Exception {
        PG.rollBackPreparedTransactions();
        PG.execute("TRUNCATE events_clean, dead_letters");
    }

    /**
     * The password is in the properties file itself, as {@code sasl.jaas.config} (SCRAM-SHA-256).
     */
    @Test
    void withCredentialsInAPropertiesFileTheJobWritesExactRows() throws Exception {
        Topics topics = topicsWithEvents();
        Path properties =
                SaslKafkaExtension.writeProperties(
                        dir.resolve("kafka.properties"),
                        KAFKA.clientProperties(Mechanism.SCRAM_SHA_256));

        Result result = main(topics, "--kafka-properties-file", properties.toString());

        assertEquals(0, result.exitCode(), result.toString());
        assertEquals("", result.err(), "nothing on stderr for a run that worked");
        assertExactRows(topics);
    }

    /**
     * The secret is not in what the job is given at all: {@code sasl.jaas.config} is a {@code
     * ${file:...}} reference that Kafka's FileConfigProvider resolves in each client it creates
     * (preflight admin client, source enumerator and readers, transactional producers).
     * kafka-clients 4.2 allows that without the system property {@code
     * org.apache.kafka.automatic.config.providers} (unset here). The non-secret settings come as
     * repeated {@code --kafka-property} flags, the provider's settings and the reference from the
     * file: both flags together. PLAIN this time.
     */
    @Test
    void withTheSecretResolvedByKafkasFileConfigProviderTheJobWritesExactRows() throws Exception {
        Topics topics = topicsWithEvents();
        Map<String, String> all =
                KAFKA.clientPropertiesWithSecretIn(
                        Mechanism.PLAIN, dir.resolve("kafka-secret.properties"));
        Map<String, String> inFile = new LinkedHashMap<>(all);
        inFile.remove("security.protocol");
        inFile.remove("sasl.mechanism");
        Path properties =
                SaslKafkaExtension.writeProperties(dir.resolve("kafka.properties"), inFile);
        assertFalse(
                Files.readString(properties, StandardCharsets.ISO_8859_1)
                        .contains(KAFKA.password()),
                "the properties file the job is given must hold no secret, only the reference");

        Result result =
                main(
                        topics,
                        "--kafka-property",
                        "security.protocol=" + all.get("security.protocol"),
                        "--kafka-property",
                        "sasl.mechanism=" + all.get("sasl.mechanism"),
                        "--kafka-properties-file",
                        properties.toString());

        assertEquals(0, result.exitCode(), result.toString());
        assertExactRows(topics);
    }

    /**
     * No Kafka settings at all: the client speaks PLAINTEXT, the broker's SASL listener drops it,
     * and the client never gets an answer — it cannot tell a secured listener from a dead broker.
     * The one line must still point at the security settings, because "is the broker running?"
     * alone sends the operator the wrong way.
     */
    @Test
    void withoutCredentialsTheMainFailsWithOneLineNamingKafkaAndItsSecuritySettings()
            throws Exception {
        Result result = main(topicsWithEvents());
        assertOneLineError(result, "(?i).*(authenticat|security).*");
    }

    @Test
    void withAWrongPasswordTheMainFailsWithOneLineNamingKafkaAndAuthentication() throws Exception {
        String wrong = "wr0ng-" + KAFKA.password();
        Path properties =
                SaslKafkaExtension.writeProperties(
                        dir.resolve("kafka.properties"),
                        KAFKA.clientProperties(Mechanism.SCRAM_SHA_512, wrong));

        Result result = main(topicsWithEvents(), "--kafka-properties-file", properties.toString());

        assertOneLineError(result, "(?i).*authenticat.*");
        assertFalse(
                result.toString().contains(wrong),
                "the wrong password must not be echoed: " + result);
    }

    /**
     * SASL asked for, but no {@code sasl.jaas.config}: the client cannot even be created (it looks
     * for a static JAAS file). The line says so instead of Kafka's bare "Failed to create new
     * KafkaAdminClient".
     */
    @Test
    void withSaslButNoLoginTheMainFailsWithOneLineNamingTheMissingJaasConfig() throws Exception {
        Result result =
                main(
                        topicsWithEvents(),
                        "--kafka-property",
                        "security.protocol=SASL_PLAINTEXT",
                        "--kafka-property",
                        "sasl.mechanism=SCRAM-SHA-256");

        assertEquals(JobMain.FAILED, result.exitCode(), result.toString());
        List<String> lines =
                result.err().lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
        assertEquals(1, lines.size(), "exactly one line on stderr: " + result);
        assertTrue(
                lines.get(0).startsWith("error: ") && lines.get(0).contains("Kafka"),
                result.toString());
        assertTrue(
                lines.get(0).toLowerCase().contains("jaas"),
                "the line must name the missing JAAS login: " + result);
    }

    // ---- fixtures
    // ---------------------------------------------------------------------------------

    private record Topics(String in, String out) {}

    private record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    /**
     * A fresh input topic with two valid events, a copy of one and a line that is not JSON; a fresh
     * output topic.
     */
    private static Topics topicsWithEvents() {
        Topics topics =
                new Topics(
                        KAFKA.createTopic("events_raw", 1), KAFKA.createTopic("events_clean", 1));
        KAFKA.produceLines(topics.in(), 0, List.of(E1, E2, E1, "{oops"));
        return topics;
    }

    private static final String E1 =
            orderEventJson(
                    "77777777-7777-4777-8777-777777777777",
                    "2025-11-30T15:30:00Z",
                    "order_created",
                    "ORD7",
                    "USR7",
                    "12.50",
                    "USD",
                    "pending");
    private static final String E2 =
            orderEventJson(
                    "88888888-8888-4888-8888-888888888888",
                    "2025-11-30T15:30:05Z",
                    "payment_success",
                    "ORD7",
                    "USR7",
                    "12.50",
                    "USD",
                    "success");

    private static void assertExactRows(Topics topics) throws Exception {
        assertEquals(
                List.of(
                        "77777777-7777-4777-8777-777777777777|order_created|12.50|0|0",
                        "88888888-8888-4888-8888-888888888888|payment_success|12.50|0|1"),
                PG.rows(
                        "SELECT id, event_type, amount, kafka_partition, kafka_offset FROM events_clean ORDER BY id"));
        assertEquals(
                List.of("0|3|NOT_JSON"),
                PG.rows("SELECT kafka_partition, kafka_offset, error_code FROM invalid_events"));
        // written through the SASL listener by the job's transactional producer, read back by the
        // kit's administrator
        List<String> published =
                KAFKA.readAll(topics.out(), "read_committed").stream()
                        .map(r -> new String(r.value(), StandardCharsets.UTF_8).substring(7, 43))
                        .sorted()
                        .collect(Collectors.toList());
        assertEquals(
                List.of(
                        "77777777-7777-4777-8777-777777777777",
                        "88888888-8888-4888-8888-888888888888"),
                published,
                "each clean event committed to Kafka exactly once");
        assertEquals(List.of(), PG.preparedTransactions());
    }

    /**
     * Exit 1 and exactly one line on stderr, {@code error: ...}, naming Kafka and matching {@code
     * cause}; no stack trace anywhere in the output, and the right password nowhere.
     */
    private static void assertOneLineError(Result result, String cause) {
        assertEquals(JobMain.FAILED, result.exitCode(), result.toString());
        List<String> lines =
                result.err().lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
        assertEquals(1, lines.size(), "exactly one line on stderr: " + result);
        String line = lines.get(0);
        assertTrue(line.startsWith("error: "), result.toString());
        assertTrue(line.contains("Kafka"), "the line must name Kafka: " + result);
        assertTrue(line.matches(cause), "the line must match " + cause + ": " + result);
        assertFalse(
                (result.out() + result.err())
                        .lines()
                        .anyMatch(l -> l.matches("\\s+at .*") || l.startsWith("Caused by")),
                "no stack trace: " + result);
        assertFalse(
                result.toString().contains(KAFKA.password()),
                "the password must not be echoed: " + result);
    }

    /**
     * The orders job's {@code main} as {@code flink run} calls it, with stdout, stderr and the exit
     * code captured.
     */
    private static Result main(Topics topics, String... more) {
        List<String> argv =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                KAFKA.bootstrapServers(),
                                "--jdbc-url",
                                PG.jdbcUrl(),
                                "--jdbc-user",
                                PG.user(),
                                "--jdbc-password",
                                PG.password(),
                                "--input-topic",
                                topics.in(),
                                "--output-topic",
                                topics.out(),
                                "--group-id",
                                "secured-" + GROUPS.incrementAndGet(),
                                "--starting-offsets",
                                "earliest",
                                "--parallelism",
                                "1",
                                "--bounded",
                                "--source-idle-timeout",
                                "0"));
        argv.addAll(List.of(more));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                JobMain.execute(
                        argv.toArray(String[]::new),
                        OrdersJob.commandLine(),
                        args -> {
                            OrdersJob.JOB.preflight(args);
                            StreamExecutionEnvironment env = JobEnvironment.create(args);
                            OrdersJob.JOB.build(env, args);
                            env.execute(OrdersJob.NAME);
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
