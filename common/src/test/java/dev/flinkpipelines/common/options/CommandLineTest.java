package dev.flinkpipelines.common.options;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.kafka.KafkaClientConfig;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {

    private final CommandLine cli =
            CommonFlags.forJob("user-events", "Counts things.")
                    .add(CommonFlags.inputTopic("user-events"));

    @Test
    void defaultsPointAtLocalhost() throws Exception {
        ParsedArgs args = cli.parse();
        assertEquals("localhost:9092", args.get(CommonFlags.BOOTSTRAP_SERVERS));
        assertEquals("jdbc:postgresql://localhost:5432/flink", args.get(CommonFlags.JDBC_URL));
        assertEquals(Duration.ofSeconds(1), args.get(CommonFlags.CHECKPOINT_INTERVAL));
        assertEquals(Duration.ofSeconds(5), args.get(CommonFlags.MAX_OUT_OF_ORDERNESS));
        assertEquals(CommonFlags.StartingOffsets.COMMITTED, args.get(CommonFlags.STARTING_OFFSETS));
        assertEquals("user-events", args.get(CommonFlags.inputTopic("user-events")));
        assertFalse(args.get(CommonFlags.BOUNDED));
        assertNull(args.get(CommonFlags.PARALLELISM));
    }

    @Test
    void readsEveryFormOfValue() throws Exception {
        ParsedArgs args =
                cli.parse(
                        "--checkpoint-interval",
                        "250",
                        "--max-out-of-orderness=10s",
                        "--bounded",
                        "--parallelism",
                        "4",
                        "--starting-offsets",
                        "EARLIEST",
                        "--group-id",
                        "g1");
        assertEquals(
                Duration.ofMillis(250),
                args.get(CommonFlags.CHECKPOINT_INTERVAL),
                "a bare number is milliseconds");
        assertEquals(Duration.ofSeconds(10), args.get(CommonFlags.MAX_OUT_OF_ORDERNESS));
        assertTrue(args.get(CommonFlags.BOUNDED));
        assertEquals(4, args.get(CommonFlags.PARALLELISM));
        assertEquals(CommonFlags.StartingOffsets.EARLIEST, args.get(CommonFlags.STARTING_OFFSETS));
        assertEquals("g1", args.get(CommonFlags.GROUP_ID));
    }

    @Test
    void durationsReadLikeFlinkConfiguration() throws Exception {
        ParsedArgs args =
                cli.parse(
                        "--max-out-of-orderness",
                        "5 s",
                        "--source-idle-timeout",
                        "1 min",
                        "--checkpoint-interval",
                        "1s");
        assertEquals(Duration.ofSeconds(5), args.get(CommonFlags.MAX_OUT_OF_ORDERNESS));
        assertEquals(Duration.ofMinutes(1), args.get(CommonFlags.SOURCE_IDLE_TIMEOUT));
        assertEquals(Duration.ofSeconds(1), args.get(CommonFlags.CHECKPOINT_INTERVAL));
        assertEquals(
                Duration.ofMillis(5),
                cli.parse("--max-out-of-orderness", "5").get(CommonFlags.MAX_OUT_OF_ORDERNESS),
                "a bare number is milliseconds for every duration flag, as in Flink's configuration");
        assertEquals(
                Duration.ofHours(24),
                cli.parse("--source-idle-timeout", "24h").get(CommonFlags.SOURCE_IDLE_TIMEOUT));
    }

    @Test
    void badValuesSayWhichFlagAndWhatIsExpected() {
        assertEquals(
                "--checkpoint-interval 'abc': expected a duration such as 500 ms, 5 s, 5 min or 24 h (a bare number is"
                        + " milliseconds)",
                assertThrows(UsageException.class, () -> cli.parse("--checkpoint-interval", "abc"))
                        .getMessage());
        assertEquals(
                "--checkpoint-interval '10': must be at least 100ms",
                assertThrows(UsageException.class, () -> cli.parse("--checkpoint-interval", "10"))
                        .getMessage());
        assertEquals(
                "--parallelism '0': expected a whole number >= 1",
                assertThrows(UsageException.class, () -> cli.parse("--parallelism", "0"))
                        .getMessage());
        assertEquals(
                "--starting-offsets 'newest': expected one of earliest|latest|committed",
                assertThrows(UsageException.class, () -> cli.parse("--starting-offsets", "newest"))
                        .getMessage());
        assertEquals(
                "unknown flag --bootstrap-server (did you mean --bootstrap-servers?)",
                assertThrows(UsageException.class, () -> cli.parse("--bootstrap-server", "x"))
                        .getMessage());
        assertEquals(
                "--jdbc-url needs a value (TEXT)",
                assertThrows(UsageException.class, () -> cli.parse("--jdbc-url")).getMessage());
        assertEquals(
                "--group-id given twice",
                assertThrows(
                                UsageException.class,
                                () -> cli.parse("--group-id", "a", "--group-id", "b"))
                        .getMessage());
        assertTrue(
                assertThrows(UsageException.class, () -> cli.parse("--bounded=yes"))
                        .getMessage()
                        .contains("--bounded"));
    }

    @Test
    void aValueMayStartWithDashesAndDoubleDashEndsTheFlags() throws Exception {
        assertEquals(
                "--odd",
                cli.parse("--group-id", "--odd").get(CommonFlags.GROUP_ID),
                "not a flag of the command: a value");
        assertEquals("--odd", cli.parse("--group-id=--odd").get(CommonFlags.GROUP_ID));
        assertEquals(
                "unexpected argument (not a flag; flags start with --, and a flag's value follows it)",
                assertThrows(UsageException.class, () -> cli.parse("--", "--bounded"))
                        .getMessage());
    }

    @Test
    void argumentsComeFromAnAtFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("args.txt");
        Files.writeString(file, "--group-id\ngroup-from-file\n--bounded\n");
        ParsedArgs args = cli.parse("@" + file);
        assertEquals("group-from-file", args.get(CommonFlags.GROUP_ID));
        assertTrue(args.get(CommonFlags.BOUNDED));
    }

    @Test
    void noSecretIsEverQuotedInAnError() {
        String secret = "s3cr3t-value";
        for (String[] argv :
                List.of(
                        new String[] {"--jdbc-pasword", secret},
                        new String[] {"--jdbc-password", secret, "--jdbc-password", secret},
                        new String[] {"--jdbc-password", ""},
                        new String[] {"--kafka-property", "sasl.jaas.config" + secret},
                        new String[] {"--kafka-property", "isolation.level=" + secret},
                        new String[] {"--kafka-property", "group.id=" + secret},
                        new String[] {secret})) {
            String message =
                    assertThrows(
                                    UsageException.class,
                                    () -> cli.parse(argv),
                                    String.join(" ", argv))
                            .getMessage();
            assertFalse(message.contains(secret), message);
        }
        assertDoesNotThrow(
                () ->
                        assertNull(
                                cli.parse().get(CommonFlags.JDBC_PASSWORD), "no default password"));
    }

    @Test
    void helpListsEveryFlagWithItsDefault() throws Exception {
        assertTrue(cli.parse("--help").helpRequested());
        String usage = cli.usage();
        for (String flag :
                new String[] {
                    "--bootstrap-servers",
                    "--group-id",
                    "--jdbc-url",
                    "--jdbc-user",
                    "--jdbc-password",
                    "--checkpoint-interval",
                    "--parallelism",
                    "--starting-offsets",
                    "--bounded",
                    "--max-out-of-orderness",
                    "--input-topic",
                    "--help",
                    "--jdbc-password-file",
                    "--kafka-properties-file",
                    "--sink-id"
                }) {
            assertTrue(usage.contains(flag), () -> flag + " missing from:\n" + usage);
        }
        assertTrue(usage.contains("(default: 1s)"), usage);
        assertTrue(usage.contains("--kafka-property KEY=VALUE"), usage);
        assertTrue(usage.contains("--jdbc-password-file PATH"), usage);
    }

    @Test
    void jobMainExitsWithUsageCodeAndOneLineOnBadFlag() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicReference<ParsedArgs> ran = new AtomicReference<>();
        int code =
                JobMain.execute(
                        new String[] {"--parallelism", "-1"},
                        cli,
                        ran::set,
                        print(out),
                        print(err));
        assertEquals(JobMain.USAGE, code);
        assertNull(ran.get(), "the job must not run");
        assertEquals(
                "error: --parallelism '-1': expected a whole number >= 1\nRun with --help to see every flag.\n",
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void jobMainPrintsHelpWithoutRunning() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AtomicReference<ParsedArgs> ran = new AtomicReference<>();
        assertEquals(
                JobMain.OK,
                JobMain.execute(
                        new String[] {"--help"},
                        cli,
                        ran::set,
                        print(out),
                        print(new ByteArrayOutputStream())));
        assertNull(ran.get());
        assertTrue(
                out.toString(StandardCharsets.UTF_8)
                        .startsWith("Usage: flink run <user-events jar> [flags]"));
    }

    @Test
    void jobMainReportsFailuresWithoutStackTrace() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                JobMain.execute(
                        new String[0],
                        cli,
                        args -> {
                            throw new IllegalStateException(
                                    "outer", new java.sql.SQLException("connection refused"));
                        },
                        print(new ByteArrayOutputStream()),
                        print(err));
        assertEquals(JobMain.FAILED, code);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("error: the job failed: outer: connection refused\n"), text);
        assertFalse(text.contains("\tat "), "no stack frames: " + text);
    }

    @Test
    void kafkaClientPropertiesComeFromAFileAndFlagsTheLaterWinning(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("kafka.properties");
        Files.writeString(
                file,
                "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nssl.truststore.location=/etc/ts.jks\n");
        KafkaClientConfig kafka =
                KafkaClientConfig.from(
                        cli.parse(
                                "--bootstrap-servers",
                                "b:9093",
                                "--kafka-properties-file",
                                file.toString(),
                                "--kafka-property",
                                "sasl.mechanism=SCRAM-SHA-512",
                                "--kafka-property",
                                "client.dns.lookup=use_all_dns_ips"));
        assertEquals("b:9093", kafka.bootstrapServers());
        assertEquals(
                Map.of(
                        "security.protocol",
                        "SASL_SSL",
                        "sasl.mechanism",
                        "SCRAM-SHA-512",
                        "ssl.truststore.location",
                        "/etc/ts.jks",
                        "client.dns.lookup",
                        "use_all_dns_ips"),
                kafka.properties());
        assertEquals("b:9093", kafka.clientProperties().getProperty("bootstrap.servers"));
        assertEquals(
                "--kafka-properties-file '"
                        + dir.resolve("none")
                        + "': cannot read it (NoSuchFileException)",
                assertThrows(
                                UsageException.class,
                                () ->
                                        cli.parse(
                                                "--kafka-properties-file",
                                                dir.resolve("none").toString()))
                        .getMessage());
        Files.writeString(file, "bootstrap.servers=elsewhere:9092\n");
        assertEquals(
                "--kafka-properties-file '"
                        + file
                        + "': bootstrap.servers cannot be set here: give it with --bootstrap-servers",
                assertThrows(
                                UsageException.class,
                                () -> cli.parse("--kafka-properties-file", file.toString()))
                        .getMessage());
        assertEquals(
                "--kafka-property: expected KEY=VALUE, e.g. security.protocol=SASL_SSL",
                assertThrows(UsageException.class, () -> cli.parse("--kafka-property", "novalue"))
                        .getMessage());
    }

    @Test
    void thePasswordIsGivenOnce() throws Exception {
        ParsedArgs both =
                cli.parse("--jdbc-password", "a-secret", "--jdbc-password-file", "/run/secrets/pg");
        String message =
                assertThrows(IllegalArgumentException.class, () -> JobEnvironment.postgres(both))
                        .getMessage();
        assertEquals(
                "give the PostgreSQL password once: --jdbc-password-file or --jdbc-password, not both",
                message);
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
