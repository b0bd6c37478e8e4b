package dev.flinkpipelines.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkpipelines.e2e.StandaloneSessionCluster.CliResult;
import dev.flinkpipelines.testkit.KafkaExtension;
import dev.flinkpipelines.testkit.PostgresExtension;
import dev.flinkpipelines.testkit.SaslKafkaExtension;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.util.FileUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The deployment, end to end: a real standalone Flink 2.2.1 session cluster (a JobManager process
 * and a TaskManager process, configured from {@code flink-conf/config.yaml}), every job's shaded
 * jar submitted with Flink's CLI exactly as the README's "Deploy" section does, real Kafka and
 * PostgreSQL. Three phases of traffic, each checked row by row:
 *
 * <ol>
 *   <li>every job running, its counters non-zero in the REST API and on the Prometheus endpoint,
 *       and every metric the dashboards and alert rules read exported ({@link MonitoringCheck});
 *       the same job submitted a second time is refused with a one-line error and changes nothing;
 *   <li>an upgrade: orders stopped with a savepoint, traffic produced while it is down, the jar
 *       resubmitted from the savepoint — its dedup state must still drop copies of earlier events;
 *   <li>the TaskManager killed with SIGKILL mid-stream and a new one started;
 *   <li>user-events stopped with {@code flink stop --drain} three times in a row, resumed from each
 *       drained savepoint with more traffic in between: every row and every window of an
 *       undisturbed run.
 * </ol>
 *
 * After each, every table holds every expected row exactly once; at the end, after stopping every
 * job with a savepoint, no prepared transaction is left, and every dashboard panel's SQL answers on
 * those rows as Grafana's read-only user ({@link MonitoringCheck}). Then, on the same (now idle)
 * cluster, the secrets check of {@link SecretLeakCheck}: a job with a password file and a SASL
 * Kafka, and no password in any log, REST answer or error line.
 */
class SessionClusterE2EIT {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

    /**
     * SecretLeakCheck's database (same server, a database and a password-checked role of its own)
     * and broker.
     */
    @RegisterExtension static final PostgresExtension SECURED_PG = new PostgresExtension();

    @RegisterExtension static final SaslKafkaExtension SASL_KAFKA = new SaslKafkaExtension();

    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration ROWS_TIMEOUT = Duration.ofMinutes(4);
    static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

    /**
     * The cluster's conf, logs, checkpoints and savepoints; kept after the run for a look at the
     * logs.
     */
    private final Path home = Path.of("target", "e2e-cluster").toAbsolutePath();

    /**
     * The jobs log in as the deployment does (README "Applying the schema to a database"): a login
     * role that is a member of the schema's least-privilege flink_pipelines_writer and nothing
     * else, whose password PostgreSQL really checks, read from a file. Every job's writes, commits,
     * recovery and fencing through this whole test so prove the role's grants are enough.
     */
    private static final String JOB_ROLE = "flink_pipelines_e2e";

    private Path jobPasswordFile;

    private StandaloneSessionCluster cluster;
    private final Map<String, String> topics = new LinkedHashMap<>();

    /** job -> its flags (after the jar) and its current job id. */
    private final Map<String, List<String>> flags = new LinkedHashMap<>();

    private final Map<String, String> jobIds = new LinkedHashMap<>();

    @Test
    void everyJobRunsOnASessionClusterThroughAnUpgradeAndATaskManagerCrash() throws Exception {
        Instant testStart = Instant.now();
        topics.put("user-events", KAFKA.createTopic("user-events", 2));
        topics.put("events_raw", KAFKA.createTopic("events_raw", 1));
        topics.put("events_clean", KAFKA.createTopic("events_clean", 1));
        topics.put("orders", KAFKA.createTopic("orders", 1));
        topics.put("menu", KAFKA.createTopic("menu_updates", 1));
        topics.put("inventory", KAFKA.createTopic("inventory_events", 1));
        topics.put("video-views", KAFKA.createTopic("video-views", 2));
        defineJobs();
        FileUtils.deleteDirectory(home.toFile());
        String jobPassword = "e2e-" + UUID.randomUUID();
        PG.createPasswordRole(JOB_ROLE, jobPassword);
        jobPasswordFile = Path.of("target", "e2e-secrets", "db-password").toAbsolutePath();
        Files.createDirectories(jobPasswordFile.getParent());
        Files.writeString(jobPasswordFile, jobPassword + "\n");

        try (StandaloneSessionCluster started =
                StandaloneSessionCluster.start(
                        Path.of("..", "flink-conf"),
                        Path.of("target", "flink", "lib").toAbsolutePath(),
                        home)) {
            cluster = started;
            for (String job : flags.keySet()) {
                jobIds.put(job, submit(job, null));
            }

            Traffic traffic = new Traffic();
            produce(traffic.menu());
            produce(traffic.phase(1));
            awaitExactRows(traffic, "phase 1");
            for (String job : jobIds.keySet()) {
                assertRunningWithCounters(job);
            }
            assertPrometheusServesJobCountersAndEveryMonitoredMetric();

            // the same job submitted a second time while it streams: refused before it reaches the
            // cluster
            CliResult second = cluster.flink(CLI_TIMEOUT, runArguments("user-events", null));
            assertEquals(
                    1,
                    second.exitCode(),
                    "a second user-events must be refused:\n" + second.output());
            assertTrue(
                    second.output().contains("sink id 'user-events' is in use"), second.output());
            assertEquals(
                    1,
                    cluster.rest("/jobs/overview").path("jobs").findValuesAsText("name").stream()
                            .filter(name -> name.equals("user-events"))
                            .count(),
                    "still one user-events job");

            // upgrade: stop with a savepoint, traffic arrives meanwhile, resume the jar from the
            // savepoint
            String savepoint = stopWithSavepoint("orders");
            produce(traffic.phase(2));
            jobIds.put("orders", submit("orders", savepoint));
            awaitExactRows(traffic, "phase 2, orders resumed from " + savepoint);

            // crash: SIGKILL the TaskManager while records flow, then start a new one
            List<Traffic.Batch> chunks = chunks(traffic.phase(3), 4);
            produce(chunks.get(0));
            produce(chunks.get(1));
            cluster.killTaskManagers();
            produce(chunks.get(2));
            cluster.startTaskManager();
            produce(chunks.get(3));
            awaitExactRows(traffic, "phase 3, after the TaskManager was killed");
            for (String job : jobIds.keySet()) {
                assertEquals(
                        "RUNNING",
                        cluster.rest("/jobs/" + jobIds.get(job)).path("state").asText(),
                        job);
            }

            // three drains in a row, each resumed from its drained savepoint with traffic in
            // between:
            // every row and every window as an undisturbed run leaves them
            for (int drain = 1; drain <= 3; drain++) {
                String drained = stopWithSavepoint("user-events", true);
                if (drain < 3) {
                    produce(traffic.phase(3 + drain));
                    jobIds.put("user-events", submit("user-events", drained));
                    awaitExactRows(
                            traffic,
                            "phase " + (3 + drain) + ", user-events resumed from drain " + drain);
                }
            }
            jobIds.remove("user-events");
            assertExactRowsNow(traffic);
            assertEquals(
                    List.of("0"),
                    PG.rows(
                            "SELECT count(*) FROM movie_activity_1m a FULL JOIN ("
                                    + " SELECT date_trunc('minute', event_timestamp) AS w, movie_id, event_type, count(*) AS n"
                                    + " FROM user_events GROUP BY 1, 2, 3) u"
                                    + " ON a.window_start = u.w AND a.movie_id = u.movie_id AND a.event_type = u.event_type"
                                    + " WHERE a.event_count IS DISTINCT FROM u.n"),
                    "after three drains every movie_activity_1m window holds exactly its user_events");

            // a clean stop commits what is prepared and leaves nothing behind
            for (String job : List.copyOf(jobIds.keySet())) {
                stopWithSavepoint(job);
            }
            assertEquals(List.of(), PG.preparedTransactions(), "prepared transactions left behind");
            assertExactRowsNow(traffic);

            // issue 16: every dashboard panel's SQL, as Grafana's read-only user, on the rows the
            // jobs wrote;
            // event times of phase 1 (its windows end 2 minutes after T0), and the run's wall-clock
            // time
            MonitoringCheck.assertEveryPanelQueryAnswers(
                    PG,
                    Traffic.T0.minus(Duration.ofHours(1)),
                    Traffic.T0.plus(Duration.ofMinutes(3)),
                    testStart.minus(Duration.ofMinutes(5)));

            // issue 15: passwords stay out of logs, REST answers and error lines; last, so every
            // log is in
            new SecretLeakCheck(cluster, SECURED_PG, SASL_KAFKA).run();
        }
    }

    private void defineJobs() {
        flags.put("user-events", List.of("--input-topic", topics.get("user-events")));
        // a horizon spanning all three phases: copies of phase-1 events come back in phase 2, after
        // the upgrade
        flags.put(
                "orders",
                List.of(
                        "--input-topic",
                        topics.get("events_raw"),
                        "--output-topic",
                        topics.get("events_clean"),
                        "--dedup-horizon",
                        "1h"));
        // the test's streams go quiet between phases; idle sooner than the 30 s default
        flags.put(
                "kpi",
                List.of(
                        "--input-topic",
                        topics.get("events_clean"),
                        "--source-idle-timeout",
                        "2s"));
        flags.put(
                "drink-shop",
                List.of(
                        "--orders-topic",
                        topics.get("orders"),
                        "--menu-topic",
                        topics.get("menu"),
                        "--inventory-topic",
                        topics.get("inventory"),
                        "--source-idle-timeout",
                        "2s"));
        flags.put("video-views", List.of("--input-topic", topics.get("video-views")));
    }

    // ---- the CLI, as the README's Deploy section uses it ----

    /** {@code flink run -d [-s savepoint] <jar> <flags>} for {@code job}. */
    private String[] runArguments(String job, String savepoint) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        if (savepoint != null) {
            args.addAll(List.of("-s", savepoint));
        }
        args.add(jobJar(job).toString());
        args.addAll(
                List.of(
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--jdbc-url",
                        PG.jdbcUrl(),
                        "--jdbc-user",
                        JOB_ROLE,
                        "--jdbc-password-file",
                        jobPasswordFile.toString(),
                        "--group-id",
                        "e2e-" + job));
        args.addAll(flags.get(job));
        return args.toArray(String[]::new);
    }

    private String submit(String job, String savepoint) throws IOException, InterruptedException {
        CliResult result =
                cluster.flink(CLI_TIMEOUT, runArguments(job, savepoint))
                        .assertSucceeded("flink run " + job);
        Matcher id = JOB_ID.matcher(result.output());
        assertTrue(
                id.find(), "no job id in the output of flink run " + job + ":\n" + result.output());
        String jobId = id.group(1);
        cluster.awaitRest(
                "/jobs/" + jobId,
                body -> body.path("state").asText().equals("RUNNING"),
                Duration.ofMinutes(1),
                job + " RUNNING");
        return jobId;
    }

    private String stopWithSavepoint(String job) throws IOException, InterruptedException {
        return stopWithSavepoint(job, false);
    }

    /** {@code flink stop [--drain] <id>}; returns the savepoint's path. */
    private String stopWithSavepoint(String job, boolean drain)
            throws IOException, InterruptedException {
        // no --savepointPath: the cluster's execution.checkpointing.savepoint-dir is the default
        String[] stop =
                drain
                        ? new String[] {"stop", "--drain", jobIds.get(job)}
                        : new String[] {"stop", jobIds.get(job)};
        CliResult result =
                cluster.flink(CLI_TIMEOUT, stop)
                        .assertSucceeded("flink stop " + (drain ? "--drain " : "") + job);
        Matcher path = SAVEPOINT.matcher(result.output());
        assertTrue(
                path.find(),
                "no savepoint path in the output of flink stop " + job + ":\n" + result.output());
        cluster.awaitRest(
                "/jobs/" + jobIds.get(job),
                body -> body.path("state").asText().equals("FINISHED"),
                Duration.ofMinutes(1),
                job + " FINISHED");
        // Flink prints it as file:/<dir>/savepoint-...
        assertTrue(
                path.group(1).contains(cluster.home().resolve("savepoints").toString()),
                "savepoint " + path.group(1) + " is not in the configured savepoint directory");
        return path.group(1);
    }

    /** The job's shaded jar, as {@code mvn package} leaves it in {@code jobs/<job>/target}. */
    static Path jobJar(String job) throws IOException {
        Path target = Path.of("..", "jobs", job, "target").toAbsolutePath().normalize();
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(
                            p ->
                                    p.getFileName()
                                            .toString()
                                            .matches(Pattern.quote(job) + "-[0-9][^/]*\\.jar"))
                    .filter(p -> !p.getFileName().toString().endsWith("-classes.jar"))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new AssertionError(
                                            "no shaded jar for "
                                                    + job
                                                    + " in "
                                                    + target
                                                    + " (run mvn package)"));
        }
    }

    // ---- REST and Prometheus ----

    /**
     * The job is RUNNING and its own counters are non-zero in the REST API (what the web UI shows).
     * The JobManager fetches metrics from the TaskManagers every few seconds, so this polls.
     */
    private void assertRunningWithCounters(String job) throws IOException, InterruptedException {
        List<String> required =
                new ArrayList<>(
                        List.of(
                                "recordsIn",
                                "recordsValid",
                                "rowsWritten",
                                "transactionsCommitted"));
        if (!job.equals("kpi") && !job.equals("drink-shop")) {
            required.add("recordsInvalid");
        }
        if (job.equals("orders") || job.equals("video-views")) {
            required.add("duplicatesDropped");
        }
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        Map<String, Long> counters;
        do {
            JsonNode details = cluster.rest("/jobs/" + jobIds.get(job));
            assertEquals("RUNNING", details.path("state").asText(), job);
            counters = counters(jobIds.get(job), details);
            Map<String, Long> seen = counters;
            if (required.stream().allMatch(c -> seen.getOrDefault(c, 0L) > 0)) {
                return;
            }
            Thread.sleep(1_000);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError(
                job
                        + ": counters "
                        + required
                        + " should all be > 0 in the REST API, got "
                        + counters);
    }

    /** Each job's state and counters, for failure messages. */
    private String jobsAndCounters() {
        StringBuilder out = new StringBuilder();
        try {
            out.append("\n  Kafka ")
                    .append(topics.get("events_clean"))
                    .append(" (orders -> kpi): ")
                    .append(KAFKA.readAll(topics.get("events_clean"), "read_committed").size())
                    .append(" committed records, ")
                    .append(KAFKA.readAll(topics.get("events_clean"), "read_uncommitted").size())
                    .append(" in all");
        } catch (RuntimeException e) {
            out.append("\n  Kafka: ").append(e);
        }
        for (Map.Entry<String, String> job : jobIds.entrySet()) {
            try {
                JsonNode details = cluster.rest("/jobs/" + job.getValue());
                out.append("\n  ")
                        .append(job.getKey())
                        .append(' ')
                        .append(details.path("state").asText())
                        .append(' ')
                        .append(counters(job.getValue(), details));
            } catch (IOException | InterruptedException | RuntimeException e) {
                out.append("\n  ").append(job.getKey()).append(": ").append(e);
            }
        }
        return out.toString();
    }

    /** The job's counters summed over vertices and subtasks, by name. */
    private Map<String, Long> counters(String id, JsonNode details)
            throws IOException, InterruptedException {
        Map<String, Long> counters = new TreeMap<>();
        for (JsonNode vertex : details.path("vertices")) {
            String base = "/jobs/" + id + "/vertices/" + vertex.path("id").asText() + "/metrics";
            List<String> wanted = new ArrayList<>();
            for (JsonNode metric : cluster.rest(base)) {
                String metricId = metric.path("id").asText();
                if (metricId.matches(
                        "\\d+\\..*\\.(recordsIn|recordsValid|recordsInvalid|duplicatesDropped|rowsWritten|transactionsCommitted)")) {
                    wanted.add(metricId);
                }
            }
            if (!wanted.isEmpty()) {
                for (JsonNode value : cluster.rest(base + "?get=" + String.join(",", wanted))) {
                    String name = value.path("id").asText().replaceAll(".*\\.", "");
                    counters.merge(
                            name,
                            (long) Double.parseDouble(value.path("value").asText()),
                            Long::sum);
                }
            }
        }
        return counters;
    }

    /**
     * Scrapes every Prometheus endpoint of the cluster (the JobManager's and each TaskManager's):
     * the jobs' counters are there, and every metric the dashboards and alert rules read (issue
     * 16). Each body is kept in the cluster's home for a look after a failure.
     */
    private void assertPrometheusServesJobCountersAndEveryMonitoredMetric()
            throws IOException, InterruptedException {
        String range = cluster.configuration().getString("metrics.reporter.prom.port", "");
        int first = Integer.parseInt(range.split("-")[0]);
        int last = Integer.parseInt(range.split("-")[1]);
        List<String> seen = new ArrayList<>();
        Set<String> exported = new TreeSet<>();
        for (int port = first; port <= last; port++) {
            try {
                String body = cluster.httpGet(URI.create("http://localhost:" + port + "/metrics"));
                seen.add(port + ": " + body.length() + " chars");
                Files.writeString(home.resolve("prometheus-" + port + ".txt"), body);
                exported.addAll(Monitoring.exposedMetricNames(body));
            } catch (IOException notListening) {
                seen.add(port + ": " + notListening);
            }
        }
        assertTrue(
                exported.contains("flink_taskmanager_job_task_operator_recordsValid")
                        && exported.contains(
                                "flink_taskmanager_job_task_operator_transactionsCommitted"),
                "no Prometheus endpoint in " + range + " serves the jobs' counters: " + seen);
        MonitoringCheck.assertEveryMetricIsExported(exported);
    }

    // ---- traffic ----

    private void produce(Traffic.Batch batch) {
        // the menu first: orders are joined with the versions it carries
        batch.lines.entrySet().stream()
                .sorted(
                        (a, b) ->
                                Boolean.compare(
                                        !a.getKey().equals("menu"), !b.getKey().equals("menu")))
                .forEach(
                        role ->
                                role.getValue()
                                        .forEach(
                                                (partition, lines) ->
                                                        KAFKA.produceLines(
                                                                topics.get(role.getKey()),
                                                                partition,
                                                                lines)));
    }

    /**
     * Splits a batch into {@code n} consecutive slices per topic partition, keeping each
     * partition's order.
     */
    private static List<Traffic.Batch> chunks(Traffic.Batch batch, int n) {
        List<Traffic.Batch> chunks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            chunks.add(new Traffic.Batch());
        }
        batch.lines.forEach(
                (role, partitions) ->
                        partitions.forEach(
                                (partition, lines) -> {
                                    for (int i = 0; i < lines.size(); i++) {
                                        chunks.get(i * n / lines.size())
                                                .add(role, partition, lines.get(i));
                                    }
                                }));
        return chunks;
    }

    // ---- the exact rows ----

    private void awaitExactRows(Traffic traffic, String phase) throws Exception {
        Instant deadline = Instant.now().plus(ROWS_TIMEOUT);
        String mismatch;
        do {
            mismatch = mismatch(traffic);
            if (mismatch == null) {
                return;
            }
            Thread.sleep(1_000);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError(
                phase
                        + ": rows still differ after "
                        + ROWS_TIMEOUT
                        + ": "
                        + mismatch
                        + "\njobs: "
                        + jobsAndCounters()
                        + "\nlogs: "
                        + cluster.home().resolve("log"));
    }

    private void assertExactRowsNow(Traffic traffic) throws Exception {
        String mismatch = mismatch(traffic);
        assertEquals(null, mismatch, "rows changed after every job was stopped");
    }

    /**
     * The first table whose rows differ from the expectation, with both sides; null when all match.
     */
    private static String mismatch(Traffic traffic) throws Exception {
        Map<String, Rows> checks = new LinkedHashMap<>();
        checks.put(
                "user_events",
                pair(
                        traffic.userEvents,
                        PG.rows(
                                "SELECT user_id || '|' || movie_id || '|' || event_type || '|' || "
                                        + "to_char(event_timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM user_events")));
        checks.put(
                "events_clean",
                pair(traffic.cleanEventIds, PG.rows("SELECT id FROM events_clean")));
        checks.put(
                "kpi_1m totals before " + traffic.lastTick(),
                pair(
                        traffic.expectedKpiTotals(),
                        PG.rows(
                                "SELECT currency || '|' || sum(orders_created) || '|' || sum(payments_initiated) || '|' || sum(payment_success)"
                                        + " || '|' || sum(payment_failed) || '|' || sum(orders_cancelled) || '|' || sum(revenue)"
                                        + " FROM kpi_1m WHERE window_start < '"
                                        + traffic.lastTick()
                                        + "'::timestamptz GROUP BY currency")));
        checks.put(
                "order_items_enriched",
                pair(
                        traffic.enrichedLines,
                        PG.rows(
                                "SELECT order_id || '|' || line_no || '|' || menu_id || '|' || qty || '|' || menu_status || '|'"
                                        + " || coalesce(trim_scale(menu_price)::text, 'null') FROM order_items_enriched"
                                        + " WHERE order_id NOT LIKE '%"
                                        + Traffic.TICK_SUFFIX
                                        + "'")));
        checks.put(
                "view_ledger",
                pair(
                        traffic.ledger,
                        PG.rows(
                                "SELECT event_id || '|' || coalesce(reason, 'counted') FROM view_ledger")));
        List<String> deadLetters = new ArrayList<>();
        traffic.deadLetters.forEach((job, n) -> deadLetters.add(job + "|" + n));
        checks.put(
                "dead_letters per job",
                pair(
                        deadLetters,
                        PG.rows(
                                "SELECT job_name || '|' || count(*) FROM dead_letters GROUP BY job_name")));
        for (Map.Entry<String, Rows> check : checks.entrySet()) {
            List<String> expected = check.getValue().expected();
            List<String> actual = check.getValue().actual();
            if (!expected.equals(actual)) {
                List<String> missing = new ArrayList<>(expected);
                actual.forEach(missing::remove);
                List<String> extra = new ArrayList<>(actual);
                expected.forEach(extra::remove);
                return check.getKey()
                        + ": expected "
                        + expected.size()
                        + " rows, found "
                        + actual.size()
                        + "; missing "
                        + head(missing)
                        + "; unexpected "
                        + head(extra);
            }
        }
        return null;
    }

    /** One table's expected and actual rows, each sorted. */
    private record Rows(List<String> expected, List<String> actual) {}

    private static Rows pair(List<String> expected, List<String> actual) {
        return new Rows(expected.stream().sorted().toList(), actual.stream().sorted().toList());
    }

    private static String head(List<String> rows) {
        return rows.size() <= 8
                ? rows.toString()
                : rows.subList(0, 8) + " and " + (rows.size() - 8) + " more";
    }
}
