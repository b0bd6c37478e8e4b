package dev.flinkpipelines.e2e;

import dev.flinkpipelines.e2e.StandaloneSessionCluster.CliResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * One fault-injection run from outside, as an operator's bad day looks: real PostgreSQL, a real
 * Kafka broker in its own process, a real standalone Flink session cluster (one JobManager, three
 * TaskManagers of 8 slots, configured from {@code flink-conf/config.yaml}), every job's shaded jar
 * submitted with Flink's CLI at parallelism 2, continuous {@link FaultLoad} on every input topic,
 * and faults injected one after another while it flows. Then the load stops, every job catches up,
 * the sources go idle, every job is drained ({@code flink stop --drain}), and every table is
 * compared with the {@link Expectation} computed from the input topics.
 */
final class FaultRun {

    static final List<String> JOBS =
            List.of("user-events", "orders", "kpi", "drink-shop", "video-views");

    /** Topic name by role; one broker per run, so the contracts' names. */
    static final Map<String, String> TOPICS = new LinkedHashMap<>();

    static final Map<String, Integer> PARTITIONS = new LinkedHashMap<>();

    static {
        topic("user-events", "user-events", 2);
        topic("events_raw", "events_raw", 2);
        topic("events_clean", "events_clean", 2);
        topic("orders", "orders", 2);
        // the menu changes rarely: one partition, as the README advises
        topic("menu", "menu_updates", 1);
        topic("inventory", "inventory_events", 2);
        topic("video-views", "video-views", 2);
    }

    private static void topic(String role, String name, int partitions) {
        TOPICS.put(role, name);
        PARTITIONS.put(name, partitions);
    }

    /** The input topics each job reads (its consumer group commits offsets for these). */
    static final Map<String, List<String>> INPUTS =
            Map.of(
                    "user-events", List.of("user-events"),
                    "orders", List.of("events_raw"),
                    "kpi", List.of("events_clean"),
                    "drink-shop", List.of("orders", "menu_updates", "inventory_events"),
                    "video-views", List.of("video-views"));

    enum FaultKind {
        TM_KILL("tm-kill", "SIGKILL of the TaskManager running the most tasks, a new one started"),
        PG_RESTART("pg-restart", "PostgreSQL immediate restart (pg_ctl stop -m immediate, start)"),
        KAFKA_RESTART("kafka-restart", "Kafka broker SIGKILL, restarted on the same logs and port"),
        PG_TERMINATE("pg-terminate", "pg_terminate_backend of every session"),
        SAVEPOINT("savepoint", "flink stop with a savepoint, resubmitted with -s"),
        RESCALE("rescale", "rescale through savepoints: parallelism 2 -> 1 -> 2");

        final String flag;
        final String description;

        FaultKind(String flag, String description) {
            this.flag = flag;
            this.description = description;
        }
    }

    /**
     * One fault to inject; {@code target} is a job for savepoint and rescale ("all" = every job).
     */
    record Fault(FaultKind kind, String target) implements java.io.Serializable {
        static Fault parse(String spec) {
            String[] parts = spec.trim().split(":", 2);
            for (FaultKind kind : FaultKind.values()) {
                if (kind.flag.equals(parts[0])) {
                    String target = parts.length > 1 ? parts[1] : "all";
                    if (!target.equals("all") && !JOBS.contains(target)) {
                        throw new IllegalArgumentException(
                                "unknown job '"
                                        + target
                                        + "' in fault '"
                                        + spec
                                        + "'; jobs: "
                                        + JOBS);
                    }
                    return new Fault(kind, target);
                }
            }
            throw new IllegalArgumentException(
                    "unknown fault '"
                            + spec
                            + "'; faults: tm-kill, pg-restart, kafka-restart,"
                            + " pg-terminate, savepoint[:job], rescale[:job]");
        }

        @Override
        public String toString() {
            return kind.flag
                    + (kind == FaultKind.SAVEPOINT || kind == FaultKind.RESCALE
                            ? ":" + target
                            : "");
        }
    }

    /**
     * What to run. {@code faults} are injected in this order, the first {@code firstFaultAfter}
     * into the load. With {@code waitForRecovery} each next fault waits until every job has
     * recovered from the previous one (plus {@code gap}), so each recovery can be measured; without
     * it faults come every {@code gap}, overlapping recoveries as a bad day does (the short
     * profile, which has no report).
     */
    record Settings(
            String name,
            FaultLoad.Settings load,
            List<Fault> faults,
            int parallelism,
            int taskManagers,
            Duration firstFaultAfter,
            boolean waitForRecovery,
            Duration gap,
            Map<String, String> flinkOverrides,
            String home)
            implements java.io.Serializable {

        Path homePath() {
            return Path.of(home);
        }
    }

    /** A fault as it happened, with each job's recovery. */
    record FaultRecord(
            int number,
            Fault fault,
            long at,
            long injectionMillis,
            String detail,
            List<RecoveryMonitor.Recovery> recoveries,
            String error)
            implements java.io.Serializable {}

    /** Everything a run found. */
    record Result(
            Settings settings,
            long startedAt,
            long loadStartedAt,
            long loadEndedAt,
            long drainedAt,
            long finishedAt,
            List<FaultRecord> faults,
            Map<String, Map<String, Long>> inputSummary,
            Map<String, Integer> inputRecords,
            List<TableCheck.Diff> diffs,
            List<String> preparedLeft,
            Map<String, String> finalStates,
            List<String> problems,
            Map<String, Map<FaultLoad.Kind, Long>> sent,
            long failedSends)
            implements java.io.Serializable {

        boolean exact() {
            return problems.isEmpty()
                    && preparedLeft.isEmpty()
                    && diffs.stream().allMatch(TableCheck.Diff::exact);
        }

        /** One line per table that differs, plus leftovers and problems: the assertion message. */
        String summary() {
            StringBuilder out = new StringBuilder();
            for (TableCheck.Diff d : diffs) {
                if (!d.exact()) {
                    out.append("\n  ").append(d.describe(5));
                }
            }
            if (!preparedLeft.isEmpty()) {
                out.append("\n  pg_prepared_xacts not empty: ").append(preparedLeft);
            }
            problems.forEach(p -> out.append("\n  ").append(p));
            return out.toString();
        }
    }

    /**
     * Longer than any broker outage this run injects (20–35 s on a loaded 2-core machine). A Kafka
     * outage longer than the idle timeout marks every partition idle; when the broker is back, the
     * partitions that resume first move the watermark on alone, and the records the producers held
     * through the outage reach the other partitions behind it, late — a property of idleness-based
     * watermarks (README "Event time across restores, stops and drains"), not a failure the jobs
     * can undo. Found by the long profile with the 30 s default: three stock alerts of 4,466 came
     * out in another order. The runs keep their outages inside the envelope a deployment must keep
     * too.
     */
    static final Duration SOURCE_IDLE_TIMEOUT = Duration.ofSeconds(90);

    private final Settings settings;
    private final PrintStream log;
    private final Map<String, String> jobIds = new ConcurrentHashMap<>();
    private final Map<String, Integer> parallelism = new ConcurrentHashMap<>();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService cli = Executors.newFixedThreadPool(JOBS.size());
    private StandaloneSessionCluster cluster;
    private KafkaBrokerProcess kafka;
    private RestartablePostgres postgres;

    FaultRun(Settings settings) throws IOException {
        this.settings = settings;
        FileUtils.deleteDirectory(settings.homePath().toFile());
        Files.createDirectories(settings.homePath());
        PrintStream file =
                new PrintStream(
                        Files.newOutputStream(
                                settings.homePath().resolve("run.log"),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND),
                        true,
                        StandardCharsets.UTF_8);
        this.log =
                new PrintStream(
                        new java.io.OutputStream() {
                            @Override
                            public void write(int b) {
                                System.out.write(b);
                                file.write(b);
                            }

                            @Override
                            public void write(byte[] b, int off, int len) {
                                System.out.write(b, off, len);
                                file.write(b, off, len);
                            }

                            @Override
                            public void flush() {
                                System.out.flush();
                                file.flush();
                            }
                        },
                        true,
                        StandardCharsets.UTF_8);
    }

    private void say(String message) {
        log.println(
                LocalTime.now(ZoneOffset.UTC).withNano(0)
                        + " ["
                        + settings.name()
                        + "] "
                        + message);
    }

    Result run() throws Exception {
        long startedAt = System.currentTimeMillis();
        Path home = settings.homePath();
        say(
                "home "
                        + home
                        + "; load "
                        + settings.load()
                        + "; faults "
                        + settings.faults()
                        + (settings.flinkOverrides().isEmpty()
                                ? ""
                                : "; flink-conf overrides " + settings.flinkOverrides()));
        postgres = RestartablePostgres.start(home.resolve("postgres"));
        kafka = KafkaBrokerProcess.startFresh(home.resolve("kafka"));
        try {
            PARTITIONS.forEach(kafka::createTopic);
            cluster =
                    StandaloneSessionCluster.start(
                            Path.of("..", "flink-conf").toAbsolutePath().normalize(),
                            Path.of("target", "flink", "lib").toAbsolutePath(),
                            home.resolve("flink"),
                            settings.taskManagers(),
                            settings.flinkOverrides());
            say(
                    "PostgreSQL on "
                            + postgres.port()
                            + ", Kafka on "
                            + kafka.bootstrapServers()
                            + ", Flink REST on "
                            + cluster.restUri("/"));
            parallel(JOBS, job -> submit(job, null, settings.parallelism()));
            say("submitted " + jobIds);

            Map<String, String> groups = new LinkedHashMap<>();
            JOBS.forEach(job -> groups.put(job, group(job)));
            try (RecoveryMonitor monitor =
                    new RecoveryMonitor(cluster, kafka::admin, postgres, jobIds, groups)) {
                FaultLoad load = new FaultLoad(kafka.bootstrapServers(), TOPICS, settings.load());
                Thread loadThread = new Thread(load, "fault-run-load");
                loadThread.start();
                while (load.startMillis() == 0) {
                    Thread.sleep(50);
                }
                long loadStartedAt = load.startMillis();
                say("load started");
                List<FaultRecord> faults = injectFaults(load, monitor, loadStartedAt);

                while (load.minimumSentPerMainTopic() < settings.load().recordsPerTopic()
                        && loadThread.isAlive()) {
                    Thread.sleep(1_000);
                }
                load.stop();
                say(
                        "load reached "
                                + load.minimumSentPerMainTopic()
                                + " records per topic; clean tail of "
                                + FaultLoad.TAIL_MILLIS / 1000
                                + " s");
                loadThread.join();
                long loadEndedAt = load.lastRecordMillis();
                if (load.firstFailure() != null) {
                    problems.add(
                            "the load could not send "
                                    + load.failedSends()
                                    + " records: "
                                    + load.firstFailure());
                }
                say("load stopped: " + load.sentByTopic());

                awaitCaughtUp(Duration.ofMinutes(5));
                // the contract: drain fires every window also when the sources were idle: drain
                // only after they surely are
                long idleAt = loadEndedAt + SOURCE_IDLE_TIMEOUT.plusSeconds(5).toMillis();
                if (System.currentTimeMillis() < idleAt) {
                    say(
                            "waiting until every source has been idle longer than --source-idle-timeout ("
                                    + SOURCE_IDLE_TIMEOUT.toSeconds()
                                    + " s)");
                    Thread.sleep(idleAt - System.currentTimeMillis());
                }
                parallel(
                        JOBS,
                        job -> {
                            drainOrCancel(job);
                            return null;
                        });
                long drainedAt = System.currentTimeMillis();
                say("every job drained (or cancelled, see problems)");
                Map<String, String> finalStates = new LinkedHashMap<>();
                for (String job : JOBS) {
                    finalStates.put(
                            job, cluster.rest("/jobs/" + jobIds.get(job)).path("state").asText());
                }
                Result result =
                        verify(
                                startedAt,
                                loadStartedAt,
                                loadEndedAt,
                                drainedAt,
                                faults,
                                finalStates,
                                load);
                say(result.exact() ? "every table exact" : "differences:" + result.summary());
                return result;
            }
        } finally {
            cli.shutdownNow();
            if (cluster != null) {
                cluster.close();
            }
            kafka.close();
            postgres.close();
        }
    }

    // ---- faults ----

    private List<FaultRecord> injectFaults(
            FaultLoad load, RecoveryMonitor monitor, long loadStartedAt) throws Exception {
        List<FaultRecord> records = new ArrayList<>();
        long loadMillis =
                (long) (settings.load().recordsPerTopic() / settings.load().ratePerTopic() * 1000);
        long first = settings.firstFaultAfter().toMillis();
        int n = settings.faults().size();
        // with recovery waits, spread evenly over the planned load, the last one a minute before
        // its end
        long spacing =
                !settings.waitForRecovery()
                        ? settings.gap().toMillis()
                        : n <= 1 ? 0 : Math.max(0, (loadMillis - first - 60_000) / (n - 1));
        long previousAt = 0;
        for (int i = 0; i < n; i++) {
            Fault fault = settings.faults().get(i);
            long planned = loadStartedAt + first + i * spacing;
            if (i > 0 && settings.waitForRecovery()) {
                awaitRecovered(monitor, previousAt, Duration.ofMinutes(4));
                planned = Math.max(planned, System.currentTimeMillis() + settings.gap().toMillis());
            }
            long wait = planned - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
            long at = System.currentTimeMillis();
            say(
                    "fault "
                            + (i + 1)
                            + "/"
                            + n
                            + ": "
                            + fault.kind().description
                            + (fault.target().equals("all") ? "" : " (" + fault.target() + ")"));
            String detail;
            String error = null;
            try {
                detail = inject(fault, monitor);
            } catch (Exception | AssertionError e) {
                detail = "injection failed";
                error = e.toString();
                problems.add(
                        "fault "
                                + (i + 1)
                                + " "
                                + fault
                                + " could not be injected as planned: "
                                + e);
            }
            long injected = System.currentTimeMillis() - at;
            records.add(new FaultRecord(i + 1, fault, at, injected, detail, List.of(), error));
            say("  " + detail + " (" + injected + " ms)");
            previousAt = at;
        }
        if (n > 0) {
            // the load goes on until every job runs and consumes again
            awaitRecovered(monitor, previousAt, Duration.ofMinutes(4));
        }
        // each fault's recovery, measured up to the next fault
        List<FaultRecord> measured = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            FaultRecord r = records.get(i);
            long until =
                    i + 1 < records.size() ? records.get(i + 1).at() : System.currentTimeMillis();
            List<RecoveryMonitor.Recovery> recoveries = monitor.recovery(r.at(), until);
            measured.add(
                    new FaultRecord(
                            r.number(),
                            r.fault(),
                            r.at(),
                            r.injectionMillis(),
                            r.detail(),
                            recoveries,
                            r.error()));
            for (RecoveryMonitor.Recovery rec : recoveries) {
                say(
                        "  fault "
                                + r.number()
                                + " "
                                + rec.job()
                                + ": "
                                + (rec.interrupted()
                                        ? "RUNNING again " + seconds(rec.runningAgainMillis())
                                        : "not interrupted")
                                + ", input committed again "
                                + seconds(rec.inputCommittedAgainMillis())
                                + ", rows visible again "
                                + seconds(rec.rowsVisibleAgainMillis()));
            }
        }
        return measured;
    }

    static String seconds(long millis) {
        return millis < 0 ? "-" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    /** Until every job runs all its tasks again and has committed new input since the fault. */
    private void awaitRecovered(RecoveryMonitor monitor, long since, Duration timeout)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (System.currentTimeMillis() < deadline) {
            List<RecoveryMonitor.Recovery> recoveries =
                    monitor.recovery(since, System.currentTimeMillis());
            if (recoveries.stream()
                    .allMatch(
                            r ->
                                    r.runningAgainMillis() >= 0
                                            && r.inputCommittedAgainMillis() >= 0)) {
                return;
            }
            Thread.sleep(1_000);
        }
        say(
                "  not every job recovered within "
                        + timeout
                        + "; going on: "
                        + monitor.recovery(since, System.currentTimeMillis()));
    }

    private String inject(Fault fault, RecoveryMonitor monitor) throws Exception {
        switch (fault.kind()) {
            case TM_KILL:
                {
                    String name = cluster.killBusiestTaskManager();
                    cluster.startTaskManager();
                    return "killed " + name + " with SIGKILL, started a new TaskManager";
                }
            case PG_RESTART:
                {
                    long t = System.currentTimeMillis();
                    postgres.immediateStop();
                    long down = System.currentTimeMillis();
                    postgres.start();
                    return "PostgreSQL stopped -m immediate in "
                            + (down - t)
                            + " ms, accepting connections again after "
                            + (System.currentTimeMillis() - down)
                            + " ms (crash recovery)";
                }
            case KAFKA_RESTART:
                {
                    kafka.kill();
                    long down = System.currentTimeMillis();
                    kafka.start();
                    return "broker killed; serving again after "
                            + (System.currentTimeMillis() - down)
                            + " ms";
                }
            case PG_TERMINATE:
                return "terminated " + postgres.terminateEverySession() + " sessions";
            case SAVEPOINT:
                {
                    List<String> targets = targets(fault);
                    parallel(
                            targets,
                            job -> {
                                String savepoint = stop(job, false);
                                return submit(job, savepoint, parallelism.get(job));
                            });
                    return "stopped with a savepoint and resumed: " + targets;
                }
            case RESCALE:
                {
                    List<String> targets = targets(fault);
                    int to = Math.max(1, settings.parallelism() / 2);
                    parallel(targets, job -> submit(job, stop(job, false), to));
                    // run at the lower parallelism until every rescaled job has committed new input
                    long since = System.currentTimeMillis();
                    awaitRecovered(monitor, since, Duration.ofMinutes(3));
                    parallel(targets, job -> submit(job, stop(job, false), settings.parallelism()));
                    return "rescaled "
                            + targets
                            + " "
                            + settings.parallelism()
                            + " -> "
                            + to
                            + " -> "
                            + settings.parallelism()
                            + " through savepoints";
                }
            default:
                throw new IllegalArgumentException(fault.toString());
        }
    }

    private static List<String> targets(Fault fault) {
        return fault.target().equals("all") ? JOBS : List.of(fault.target());
    }

    // ---- the CLI ----

    private static String group(String job) {
        return "fault-run-" + job;
    }

    /** The database password as a deployment passes it: a file, so it is in no argument or log. */
    private Path passwordFile() throws IOException {
        Path file = settings.homePath().resolve("db-password");
        if (!Files.exists(file)) {
            Files.writeString(file, RestartablePostgres.PASSWORD + "\n");
        }
        return file;
    }

    private String submit(String job, String savepoint, int p) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        if (savepoint != null) {
            args.addAll(List.of("-s", savepoint));
        }
        args.add(SessionClusterE2EIT.jobJar(job).toString());
        args.addAll(
                List.of(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--jdbc-url",
                        postgres.jdbcUrl(),
                        "--jdbc-user",
                        RestartablePostgres.USER,
                        "--jdbc-password-file",
                        passwordFile().toString(),
                        "--group-id",
                        group(job),
                        "--parallelism",
                        String.valueOf(p),
                        "--source-idle-timeout",
                        SOURCE_IDLE_TIMEOUT.toSeconds() + "s"));
        // a failed preflight (PostgreSQL or Kafka restarting) submits nothing and is worth another
        // try;
        // once the CLI printed a job id the job exists and must not be submitted twice
        CliResult result =
                retry(
                        "flink run " + job,
                        () -> {
                            CliResult r =
                                    cluster.flink(
                                            Duration.ofMinutes(3), args.toArray(String[]::new));
                            return SessionClusterE2EIT.JOB_ID.matcher(r.output()).find()
                                    ? r
                                    : r.assertSucceeded("flink run " + job);
                        });
        Matcher id = SessionClusterE2EIT.JOB_ID.matcher(result.output());
        if (!id.find()) {
            throw new AssertionError(
                    "no job id in the output of flink run " + job + ":\n" + result.output());
        }
        jobIds.put(job, id.group(1));
        parallelism.put(job, p);
        cluster.awaitRest(
                "/jobs/" + id.group(1),
                body -> body.path("state").asText().equals("RUNNING"),
                Duration.ofMinutes(2),
                job + " RUNNING");
        return id.group(1);
    }

    /**
     * {@code flink stop [--drain]}: a savepoint, then FINISHED. Retried while the job is
     * restarting.
     */
    private String stop(String job, boolean drain) throws Exception {
        String id = jobIds.get(job);
        CliResult result =
                retry(
                        "flink stop " + job,
                        () -> {
                            List<String> args = new ArrayList<>(List.of("stop"));
                            if (drain) {
                                args.add("--drain");
                            }
                            args.add(id);
                            return cluster.flink(Duration.ofMinutes(3), args.toArray(String[]::new))
                                    .assertSucceeded("flink stop " + job);
                        });
        Matcher path = SessionClusterE2EIT.SAVEPOINT.matcher(result.output());
        if (!path.find()) {
            throw new AssertionError(
                    "no savepoint path in the output of flink stop "
                            + job
                            + ":\n"
                            + result.output());
        }
        cluster.awaitRest(
                "/jobs/" + id,
                body -> body.path("state").asText().equals("FINISHED"),
                Duration.ofMinutes(2),
                job + " FINISHED");
        return path.group(1);
    }

    /**
     * {@code flink stop --drain}; a job that cannot be drained (stuck restarting, say) is recorded
     * as a problem and cancelled, so the tables can still be compared with what it should have
     * written.
     */
    private void drainOrCancel(String job) throws Exception {
        try {
            stop(job, true);
        } catch (Exception | AssertionError e) {
            problems.add(
                    job
                            + " could not be drained with flink stop --drain ("
                            + e.getMessage().lines().findFirst().orElse("")
                            + "); cancelled instead");
            cluster.flink(Duration.ofMinutes(3), "cancel", jobIds.get(job));
            cluster.awaitRest(
                    "/jobs/" + jobIds.get(job),
                    body -> body.path("state").asText().equals("CANCELED"),
                    Duration.ofMinutes(2),
                    job + " CANCELED");
        }
    }

    /** A CLI call that may meet a job in the middle of a restart: three tries, 10 s apart. */
    private <T> T retry(String what, Callable<T> call) throws Exception {
        AssertionError last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                return call.call();
            } catch (AssertionError e) {
                last = e;
                say(
                        "  "
                                + what
                                + " failed (attempt "
                                + attempt
                                + "), retrying in 10 s: "
                                + e.getMessage().lines().findFirst().orElse(""));
                Thread.sleep(10_000);
            }
        }
        throw last;
    }

    private interface JobAction<T> {
        T apply(String job) throws Exception;
    }

    /** The same CLI action for several jobs at once (each CLI call is its own JVM). */
    private <T> void parallel(List<String> jobs, JobAction<T> action) throws Exception {
        List<Future<T>> futures = new ArrayList<>();
        for (String job : jobs) {
            futures.add(cli.submit(() -> action.apply(job)));
        }
        Exception failure = null;
        for (Future<T> f : futures) {
            try {
                f.get(15, TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) {
                    failure =
                            e.getCause() instanceof Exception ex
                                    ? ex
                                    : new RuntimeException(e.getCause());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    // ---- the end ----

    /** Until each job's committed offsets reach the last record of each of its input partitions. */
    private void awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        Map<String, Long> behind = Map.of();
        while (System.currentTimeMillis() < deadline) {
            try (Admin admin = kafka.admin()) {
                behind = lag(admin);
                if (behind.values().stream().allMatch(l -> l <= 0)) {
                    say("every job caught up");
                    return;
                }
            } catch (Exception e) {
                behind = Map.of("(error)", -1L);
            }
            Thread.sleep(2_000);
        }
        problems.add(
                "not every job caught up with its input within "
                        + timeout
                        + ": records behind "
                        + behind
                        + lockWaits());
        say("not caught up: " + behind);
    }

    /**
     * Sessions of the jobs waiting for a lock, and who holds it: what a job stuck without progress
     * is usually waiting for.
     */
    private String lockWaits() {
        try (Connection c = postgres.connect();
                java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs =
                        s.executeQuery(
                                "SELECT w.application_name, now() - w.xact_start, b.application_name, b.state,"
                                        + " left(w.query, 80) FROM pg_stat_activity w JOIN pg_stat_activity b ON b.pid = ANY (pg_blocking_pids(w.pid))"
                                        + " WHERE w.wait_event_type = 'Lock'")) {
            StringBuilder out = new StringBuilder();
            while (rs.next()) {
                out.append("; PostgreSQL session '")
                        .append(rs.getString(1))
                        .append("' has waited ")
                        .append(rs.getString(2))
                        .append(" for a lock held by '")
                        .append(rs.getString(3))
                        .append("' (")
                        .append(rs.getString(4))
                        .append("): ")
                        .append(rs.getString(5));
            }
            return out.toString();
        } catch (java.sql.SQLException e) {
            return "; (lock waits unknown: " + e.getMessage() + ")";
        }
    }

    private Map<String, Long> lag(Admin admin) throws Exception {
        Map<String, Long> lag = new LinkedHashMap<>();
        for (String job : JOBS) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(
                                    Map.of(group(job), new ListConsumerGroupOffsetsSpec()))
                            .partitionsToOffsetAndMetadata(group(job))
                            .get();
            long behind = 0;
            for (String topic : INPUTS.get(job)) {
                for (Map.Entry<TopicPartition, Long> end :
                        lastRecordEnds(admin, topic).entrySet()) {
                    OffsetAndMetadata c = committed.get(end.getKey());
                    behind += Math.max(0, end.getValue() - (c == null ? 0 : c.offset()));
                }
            }
            lag.put(job, behind);
        }
        return lag;
    }

    /**
     * One past the last record of each partition a read_committed consumer sees. On the
     * transactional events_clean topic the log ends with commit markers, which a consumer skips but
     * never "reads": the last record's offset + 1 is what a caught-up source has committed.
     */
    private Map<TopicPartition, Long> lastRecordEnds(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        for (int p = 0; p < PARTITIONS.get(topic); p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                admin.listOffsets(
                                latest,
                                new org.apache.kafka.clients.admin.ListOffsetsOptions(
                                        IsolationLevel.READ_COMMITTED))
                        .all()
                        .get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> result = new LinkedHashMap<>();
        if (!topic.equals(TOPICS.get("events_clean"))) {
            ends.forEach((tp, info) -> result.put(tp, info.offset()));
            return result;
        }
        List<InputRecord> records =
                InputRecord.readAll(kafka.bootstrapServers(), topic, "read_committed");
        ends.keySet().forEach(tp -> result.put(tp, 0L));
        for (InputRecord r : records) {
            result.merge(new TopicPartition(topic, r.partition()), r.offset() + 1, Math::max);
        }
        return result;
    }

    /**
     * The input records and the rows read from PostgreSQL, so a question about the expectation can
     * be answered without a new run: {@code ReVerify <snapshot>} recomputes it from this file.
     */
    private void writeSnapshot(
            Map<String, List<InputRecord>> inputs,
            List<InputRecord> eventsClean,
            Map<String, Map<String, List<String>>> actual) {
        Path file = settings.homePath().resolve("snapshot.ser");
        try (java.io.ObjectOutputStream out =
                new java.io.ObjectOutputStream(Files.newOutputStream(file))) {
            out.writeObject(new LinkedHashMap<>(inputs));
            out.writeObject(new ArrayList<>(eventsClean));
            out.writeObject(actual);
        } catch (IOException e) {
            say("could not write " + file + ": " + e);
        }
    }

    private Result verify(
            long startedAt,
            long loadStartedAt,
            long loadEndedAt,
            long drainedAt,
            List<FaultRecord> faults,
            Map<String, String> finalStates,
            FaultLoad load)
            throws Exception {
        finalStates.forEach(
                (job, state) -> {
                    if (!state.equals("FINISHED")) {
                        problems.add(
                                job
                                        + " is "
                                        + state
                                        + " after flink stop --drain, expected FINISHED");
                    }
                });
        Map<String, List<InputRecord>> inputs = new LinkedHashMap<>();
        Map<String, Integer> inputRecords = new LinkedHashMap<>();
        for (Map.Entry<String, String> topic : TOPICS.entrySet()) {
            if (!topic.getKey().equals("events_clean")) {
                List<InputRecord> records =
                        InputRecord.readAll(
                                kafka.bootstrapServers(), topic.getValue(), "read_uncommitted");
                inputs.put(topic.getKey(), records);
                inputRecords.put(topic.getValue(), records.size());
            }
        }
        List<InputRecord> eventsClean =
                InputRecord.readAll(
                        kafka.bootstrapServers(), TOPICS.get("events_clean"), "read_committed");
        inputRecords.put(TOPICS.get("events_clean") + " (read_committed)", eventsClean.size());
        // the tables as they are, read once (the queries do not depend on the input), kept with the
        // input
        // in a snapshot before anything is computed: a question about the expectation needs no new
        // run
        Map<String, Map<String, List<String>>> actual = new LinkedHashMap<>();
        try (Connection c = postgres.connect()) {
            for (TableCheck query : Expectation.empty().checks(List.of())) {
                if (query.hasQuery()) {
                    query.readActual(c);
                    actual.put(query.name, query.actualRows());
                }
            }
        }
        writeSnapshot(inputs, eventsClean, actual);
        Expectation expectation = new Expectation(TOPICS, inputs);
        List<TableCheck> checks = expectation.checks(eventsClean);
        for (TableCheck check : checks) {
            if (check.hasQuery()) {
                check.setActual(actual.get(check.name));
            }
        }
        List<TableCheck.Diff> diffs = new ArrayList<>();
        for (TableCheck check : checks) {
            TableCheck.Diff d = check.diff();
            diffs.add(d);
            say(
                    String.format(
                            Locale.ROOT,
                            "  %-34s expected %8d, actual %8d%s",
                            d.table(),
                            d.expectedRows(),
                            d.actualRows(),
                            d.exact() ? "  exact" : "  DIFFERENT"));
        }
        List<String> prepared = postgres.preparedTransactions();
        return new Result(
                settings,
                startedAt,
                loadStartedAt,
                loadEndedAt,
                drainedAt,
                System.currentTimeMillis(),
                faults,
                expectation.inputSummary,
                inputRecords,
                diffs,
                prepared,
                finalStates,
                List.copyOf(problems),
                load.sentByTopic(),
                load.failedSends());
    }
}
