package dev.flinkpipelines.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.e2e.StandaloneSessionCluster.CliResult;
import dev.flinkpipelines.testkit.PostgresExtension;
import dev.flinkpipelines.testkit.SaslKafkaExtension;
import dev.flinkpipelines.testkit.SaslKafkaExtension.Mechanism;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Issue 15, item 1: the database and Kafka passwords stay out of everything the deployment shows or
 * keeps. Run on {@link SessionClusterE2EIT}'s session cluster once its own jobs are stopped, so it
 * costs one job's run and a few {@code flink} commands, not a cluster of its own.
 *
 * <ol>
 *   <li>A login role of its own that PostgreSQL authenticates with scram-sha-256 (the embedded
 *       server otherwise trusts everyone, so a wrong password would pass unnoticed), with a random,
 *       distinctive password in an owner-only file; a Kafka broker that requires SASL, its password
 *       in a {@code --kafka-properties-file}.
 *   <li>user-events submitted with {@code flink run} and {@code --jdbc-password-file}: it writes
 *       its exact rows as that role.
 *   <li>The file is read where the connection is opened: the password in the file is made wrong and
 *       the role's connections are cut, so the restarted tasks fail with PostgreSQL's "password
 *       authentication failed"; the file is put right and the same job recovers without a
 *       resubmission (a rotated Kubernetes Secret needs no redeploy), then stops with a savepoint.
 *   <li>Three submissions that fail at {@code flink run} time, each with one {@code error:} line: a
 *       wrong password file, a JDBC URL carrying {@code password=}, a wrong Kafka password.
 *   <li>Then no password, right or wrong, may appear in: the CLI's output, every file of the
 *       cluster's log directory (JobManager and TaskManager {@code .log} and {@code .out}, the
 *       CLI's log), and the REST API's job config, job-level JobManager config and environment,
 *       plan, job details, exceptions, and the cluster's {@code /jobmanager/config} and
 *       environment.
 * </ol>
 *
 * A search that cannot find anything proves nothing: a canary value passed as an ordinary flag
 * ({@code --group-id}) must be found by the same search in the same files, and the plan must name
 * the job's topic.
 */
final class SecretLeakCheck {

    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final StandaloneSessionCluster cluster;
    private final PostgresExtension pg;
    private final SaslKafkaExtension kafka;
    private final Path secrets;

    private final String role = "pipeline_" + random();
    private final String dbPassword = "s3cr3t-" + random();
    private final String wrongDbPassword = "wr0ng-s3cr3t-" + random();
    private final String wrongKafkaPassword = "wr0ng-kafka-s3cr3t-" + random();
    private final String canary = "canary-" + random();

    /**
     * Everything shown to someone other than the log files: CLI outputs and REST bodies, by name.
     */
    private final Map<String, String> shown = new LinkedHashMap<>();

    SecretLeakCheck(
            StandaloneSessionCluster cluster, PostgresExtension pg, SaslKafkaExtension kafka) {
        this.cluster = cluster;
        this.pg = pg;
        this.kafka = kafka;
        // outside the log directory: the secret files themselves are not a leak
        this.secrets = cluster.home().resolve("secrets");
    }

    private static String random() {
        byte[] bytes = new byte[8];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    void run() throws Exception {
        Files.createDirectories(secrets);
        pg.createPasswordRole(role, dbPassword);
        Path passwordFile = writeSecret("jdbc-password", dbPassword);
        Path kafkaProperties =
                SaslKafkaExtension.writeProperties(
                        secrets.resolve("kafka.properties"),
                        kafka.clientProperties(Mechanism.SCRAM_SHA_256));
        String topic = kafka.createTopic("user-events-secured", 1);
        kafka.produceLines(
                topic,
                0,
                List.of(
                        event(1, "10:00:10"),
                        event(2, "10:00:20"),
                        "not json",
                        event(3, "10:00:30")));

        // the job runs with both secrets, and writes as the role
        String jobId = submit(topic, kafkaProperties, passwordFile);
        awaitRows("SELECT user_id FROM user_events ORDER BY kafka_offset", List.of("1", "2", "3"));
        assertEquals(
                List.of("2|NOT_JSON"),
                pg.rows("SELECT kafka_offset, error_code FROM dead_letters"));
        collectRest(jobId);
        assertTrue(
                shown.get("GET /jobs/" + jobId + "/plan").contains(topic),
                "the plan should name the job's topic; is this the right job's plan?");

        // the TaskManager reads the file each time it connects: a wrong one makes it fail, a right
        // one recovers it
        writeSecret("jdbc-password", wrongDbPassword);
        List<String> cut =
                pg.rows(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '"
                                + role
                                + "'");
        assertFalse(cut.isEmpty(), "the job should hold connections as " + role);
        kafka.produceLines(topic, 0, List.of(event(4, "10:00:40")));
        cluster.awaitRest(
                "/jobs/" + jobId + "/exceptions",
                body -> body.toString().contains("password authentication failed"),
                TIMEOUT,
                "the restarted tasks failing to log in with the wrong password from the file");
        record(
                "GET /jobs/" + jobId + "/exceptions (wrong password)",
                cluster.rest("/jobs/" + jobId + "/exceptions").toString());
        writeSecret("jdbc-password", dbPassword);
        kafka.produceLines(topic, 0, List.of(event(5, "10:00:50")));
        awaitRows(
                "SELECT user_id FROM user_events ORDER BY kafka_offset",
                List.of("1", "2", "3", "4", "5"));
        // the derived result across the refused logins and restarts too: an event of a later minute
        // moves
        // the watermark past 10:01, and the 10:00 window must hold all five events once
        kafka.produceLines(topic, 0, List.of(event(6, "10:02:00")));
        awaitRows(
                "SELECT movie_id, event_type, event_count FROM movie_activity_1m"
                        + " WHERE window_start = '2025-01-01T10:00:00Z'",
                List.of("1|click|5"));
        collectRest(jobId);
        stop(jobId);
        assertEquals(
                List.of(), pg.preparedTransactions(), "the stopped job left transactions prepared");

        // failures at flink run time: one line each, no secret
        Path wrongFile = writeSecret("jdbc-password-wrong", wrongDbPassword);
        String wrongPassword =
                assertRefusedWithOneLine(
                        "wrong password file",
                        runArguments(
                                topic,
                                kafkaProperties,
                                "--jdbc-url",
                                pg.jdbcUrl(),
                                "--jdbc-password-file",
                                wrongFile.toString()));
        assertTrue(
                wrongPassword.contains("password authentication failed"),
                "the line should say PostgreSQL refused the password: " + wrongPassword);
        String urlWithPassword =
                assertRefusedWithOneLine(
                        "JDBC URL with password=",
                        runArguments(
                                topic,
                                kafkaProperties,
                                "--jdbc-url",
                                "jdbc:postgresql://localhost:"
                                        + pg.port()
                                        + "/no_such_database?password="
                                        + dbPassword));
        assertTrue(
                urlWithPassword.contains("PostgreSQL"),
                "the line should name PostgreSQL: " + urlWithPassword);
        Path wrongKafka =
                SaslKafkaExtension.writeProperties(
                        secrets.resolve("kafka-wrong.properties"),
                        kafka.clientProperties(Mechanism.SCRAM_SHA_256, wrongKafkaPassword));
        String kafkaRefused =
                assertRefusedWithOneLine(
                        "wrong Kafka password",
                        runArguments(
                                topic,
                                wrongKafka,
                                "--jdbc-url",
                                pg.jdbcUrl(),
                                "--jdbc-password-file",
                                passwordFile.toString()));
        assertTrue(
                kafkaRefused.contains("Kafka")
                        && kafkaRefused.toLowerCase().contains("authenticat"),
                "the line should name Kafka and authentication: " + kafkaRefused);

        collectClusterRest();
        assertNoSecretAnywhere();
    }

    // ---- the job on the cluster ----

    /**
     * {@code flink run -d <user-events jar> ...} against the SASL broker and the role's database.
     */
    private List<String> runArguments(String topic, Path kafkaProperties, String... jdbc)
            throws IOException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "run",
                                "-d",
                                SessionClusterE2EIT.jobJar("user-events").toString(),
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--kafka-properties-file",
                                kafkaProperties.toString(),
                                "--jdbc-user",
                                role,
                                "--input-topic",
                                topic,
                                "--starting-offsets",
                                "earliest",
                                // an ordinary value the CLI logs: the search below must find it
                                // (see the class comment)
                                "--group-id",
                                canary,
                                "--sink-id",
                                "user-events-secured"));
        args.addAll(List.of(jdbc));
        return args;
    }

    private String submit(String topic, Path kafkaProperties, Path passwordFile) throws Exception {
        CliResult result =
                flink(
                        "flink run (secured)",
                        runArguments(
                                topic,
                                kafkaProperties,
                                "--jdbc-url",
                                pg.jdbcUrl(),
                                "--jdbc-password-file",
                                passwordFile.toString()));
        result.assertSucceeded(
                "flink run user-events with --jdbc-password-file and --kafka-properties-file");
        Matcher id = SessionClusterE2EIT.JOB_ID.matcher(result.output());
        assertTrue(id.find(), "no job id in the output of flink run:\n" + result.output());
        cluster.awaitRest(
                "/jobs/" + id.group(1),
                body -> body.path("state").asText().equals("RUNNING"),
                TIMEOUT,
                "the secured user-events RUNNING");
        return id.group(1);
    }

    private void stop(String jobId) throws Exception {
        CliResult result = flink("flink stop (secured)", List.of("stop", jobId));
        result.assertSucceeded("flink stop of the secured user-events");
        assertTrue(
                SessionClusterE2EIT.SAVEPOINT.matcher(result.output()).find(),
                "no savepoint in:\n" + result.output());
        cluster.awaitRest(
                "/jobs/" + jobId,
                body -> body.path("state").asText().equals("FINISHED"),
                TIMEOUT,
                "the secured user-events FINISHED");
    }

    /**
     * A submission the job's main refuses before anything reaches the cluster: exit 1, exactly one
     * {@code error:} line, no stack trace. Returns the line.
     */
    private String assertRefusedWithOneLine(String what, List<String> args) throws Exception {
        CliResult result = flink("flink run (" + what + ")", args);
        assertEquals(1, result.exitCode(), what + ": flink run should exit 1:\n" + result.output());
        List<String> errors =
                result.output()
                        .lines()
                        .filter(l -> l.startsWith("error: "))
                        .collect(Collectors.toList());
        assertEquals(
                1, errors.size(), what + ": exactly one error line expected:\n" + result.output());
        assertFalse(
                result.output()
                        .lines()
                        .anyMatch(l -> l.matches("\\s+at .*") || l.startsWith("Caused by")),
                what + ": no stack trace expected:\n" + result.output());
        return errors.get(0);
    }

    private CliResult flink(String name, List<String> args)
            throws IOException, InterruptedException {
        CliResult result = cluster.flink(CLI_TIMEOUT, args.toArray(String[]::new));
        record(name + " -> exit " + result.exitCode(), result.output());
        return result;
    }

    private void awaitRows(String sql, List<String> expected) throws Exception {
        Instant deadline = Instant.now().plus(TIMEOUT);
        List<String> rows = pg.rows(sql);
        while (!rows.equals(expected) && Instant.now().isBefore(deadline)) {
            Thread.sleep(250);
            rows = pg.rows(sql);
        }
        assertEquals(expected, rows, "waiting for: " + sql + "\n" + cluster.logTail("jobmanager"));
    }

    // ---- what is shown: REST ----

    private void collectRest(String jobId) throws IOException, InterruptedException {
        for (String path :
                List.of(
                        "",
                        "/config",
                        "/plan",
                        "/exceptions",
                        "/jobmanager/config",
                        "/jobmanager/environment")) {
            record("GET /jobs/" + jobId + path, cluster.rest("/jobs/" + jobId + path).toString());
        }
    }

    private void collectClusterRest() throws IOException, InterruptedException {
        for (String path :
                List.of(
                        "/jobmanager/config",
                        "/jobmanager/environment",
                        "/jobs/overview",
                        "/taskmanagers")) {
            record("GET " + path, cluster.rest(path).toString());
        }
    }

    private void record(String name, String body) {
        // a name can repeat (the same endpoint before and after the rotation): keep both
        String key = name;
        for (int i = 2; shown.containsKey(key); i++) {
            key = name + " #" + i;
        }
        shown.put(key, body);
    }

    // ---- the search ----

    private void assertNoSecretAnywhere() throws IOException {
        Map<String, String> secretsByName =
                Map.of(
                        "the database password", dbPassword,
                        "the wrong database password", wrongDbPassword,
                        "the Kafka password", kafka.password(),
                        "the wrong Kafka password", wrongKafkaPassword);
        Map<String, String> logs = logFiles();
        assertTrue(
                logs.keySet().stream().anyMatch(f -> f.startsWith("jobmanager")),
                "no JobManager log in " + logs.keySet());
        assertTrue(
                logs.keySet().stream().anyMatch(f -> f.startsWith("taskmanager")),
                "no TaskManager log in " + logs.keySet());
        assertTrue(
                logs.keySet().stream().anyMatch(f -> f.startsWith("flink-cli")),
                "no CLI log in " + logs.keySet());
        // the positive control: the same search finds a value the CLI logs
        assertFalse(
                hits(canary, logs).isEmpty(),
                "the search does not find the canary "
                        + canary
                        + " (passed as --group-id) in any of "
                        + logs.keySet()
                        + ": it could not find a password either");

        List<String> leaks = new ArrayList<>();
        secretsByName.forEach(
                (name, secret) -> {
                    hits(secret, logs).forEach(hit -> leaks.add(name + " in log " + hit));
                    hits(secret, shown).forEach(hit -> leaks.add(name + " in " + hit));
                });
        assertEquals(
                List.of(),
                leaks,
                "passwords leaked (log directory " + cluster.home().resolve("log") + ")");
    }

    /**
     * Every file of the cluster's log directory, by name, read as bytes so no encoding can hide a
     * match.
     */
    private Map<String, String> logFiles() throws IOException {
        Path dir = cluster.home().resolve("log");
        Map<String, String> files = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file :
                    walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
                files.put(
                        dir.relativize(file).toString(),
                        new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        return files;
    }

    /** {@code source:line: text} of every line of every source that contains {@code needle}. */
    static List<String> hits(String needle, Map<String, String> sources) {
        List<String> hits = new ArrayList<>();
        sources.forEach(
                (source, text) -> {
                    List<String> lines = text.lines().collect(Collectors.toList());
                    for (int i = 0; i < lines.size(); i++) {
                        if (lines.get(i).contains(needle)) {
                            String line = lines.get(i);
                            hits.add(
                                    source
                                            + ":"
                                            + (i + 1)
                                            + ": "
                                            + (line.length() > 300
                                                    ? line.substring(0, 300) + "..."
                                                    : line));
                        }
                    }
                });
        return hits;
    }

    // ---- fixtures ----

    /** Writes a secret file readable by its owner only, as a mounted Kubernetes Secret would be. */
    private Path writeSecret(String name, String secret) throws IOException {
        Path file = secrets.resolve(name);
        if (!Files.exists(file)) {
            Files.createFile(
                    file,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
        }
        // a trailing newline, as `echo secret > file` and most Secret tooling leave it
        Files.writeString(file, secret + "\n");
        return file;
    }

    private static String event(int user, String time) {
        long ts = Instant.parse("2025-01-01T" + time + "Z").toEpochMilli();
        return "{\"user_id\":"
                + user
                + ",\"movie_id\":1,\"event_type\":\"click\",\"timestamp\":"
                + ts
                + "}";
    }
}
