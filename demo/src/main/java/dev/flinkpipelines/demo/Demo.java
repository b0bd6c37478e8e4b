package dev.flinkpipelines.demo;

import dev.flinkpipelines.common.kafka.KafkaClientConfig;
import dev.flinkpipelines.common.options.CommandLine;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.Flag;
import dev.flinkpipelines.common.options.JobEnvironment;
import dev.flinkpipelines.common.options.JobMain;
import dev.flinkpipelines.common.options.Preflight;
import dev.flinkpipelines.common.options.RegisteredJob;
import dev.flinkpipelines.common.options.StreamingJob;
import dev.flinkpipelines.common.postgres.PostgresConnectionSettings;
import dev.flinkpipelines.devservices.KafkaTopics;
import dev.flinkpipelines.devservices.LocalKafka;
import dev.flinkpipelines.devservices.LocalPostgres;
import dev.flinkpipelines.generator.Generator;
import dev.flinkpipelines.sql.SchemaMigrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The one-command demo: a real Kafka broker and PostgreSQL (embedded, or existing ones), the
 * schema, a local Flink cluster with its web UI, every job submitted to it, the generator, and a
 * live summary until Ctrl+C, which stops everything in order.
 */
public final class Demo {

    static final Flag<String> KAFKA =
            Flag.string("bootstrap-servers", null, "use this Kafka instead of starting one");
    static final Flag<String> JDBC_URL =
            Flag.string(
                    "jdbc-url",
                    null,
                    "use this PostgreSQL (max_prepared_transactions > 0) instead of starting one");
    static final Flag<Integer> WEB_PORT =
            Flag.integer("web-port", 1, 8081, "port of the Flink web UI");
    static final Flag<Integer> METRICS_PORT =
            Flag.integer(
                    "metrics-port",
                    1,
                    9249,
                    "port where the local Flink cluster serves its metrics for Prometheus (monitoring/prometheus)");
    static final Flag<Duration> SUMMARY_EVERY =
            Flag.duration(
                    "summary-interval",
                    Duration.ofSeconds(5),
                    Duration.ofMillis(500),
                    "how often the summary line is printed");
    static final Flag<String> DATA_DIR =
            Flag.string(
                    "data-dir",
                    "demo-data",
                    "where the embedded services, savepoints and logs live");

    /**
     * Every job on the class path, by name (the order does not matter: kpi waits for what orders
     * publishes).
     */
    static final List<StreamingJob> JOBS = RegisteredJob.all();

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final boolean handleSignals;

    Demo(boolean handleSignals) {
        this.handleSignals = handleSignals;
    }

    /** What Ctrl+C does; for tests, which cannot press it. */
    void requestStop() {
        stopRequested.countDown();
    }

    public static CommandLine commandLine() {
        return new CommandLine(
                        "./demo/run.sh",
                        "Runs the flink-pipelines jobs on a local Flink cluster (web UI at http://localhost:<web-port>) against a"
                                + " real Kafka and PostgreSQL, fed by the generator, and prints a live summary until Ctrl+C.")
                .add(
                        KAFKA,
                        CommonFlags.KAFKA_PROPERTIES_FILE,
                        CommonFlags.KAFKA_PROPERTY,
                        JDBC_URL,
                        CommonFlags.JDBC_USER,
                        CommonFlags.JDBC_PASSWORD_FILE,
                        CommonFlags.JDBC_PASSWORD,
                        WEB_PORT,
                        METRICS_PORT,
                        SUMMARY_EVERY,
                        DATA_DIR,
                        Generator.RATE,
                        Generator.INVALID,
                        Generator.DUPLICATE,
                        Generator.OUT_OF_ORDER,
                        Generator.LATE);
    }

    public static void main(String[] argv) {
        JobMain.run(argv, commandLine(), args -> new Demo(true).run(args));
    }

    void run(ParsedArgs args) throws Exception {
        // Ctrl+C / SIGTERM ask for an orderly stop, run on this thread before the JVM exits. A
        // JVM shutdown hook would race Flink's own hooks, which tear the cluster down underneath
        // the final savepoint. A second Ctrl+C exits at once.
        SignalHandler onSignal =
                signal -> {
                    if (stopRequested.getCount() == 0) {
                        System.err.println("stopping at once");
                        Runtime.getRuntime().halt(130);
                    }
                    System.out.println();
                    step("Ctrl+C: stopping in order (press it again to quit at once)");
                    stopRequested.countDown();
                };
        if (handleSignals) {
            Signal.handle(new Signal("INT"), onSignal);
            Signal.handle(new Signal("TERM"), onSignal);
        }
        try {
            runUntilStopped(args);
        } finally {
            closeAll();
        }
    }

    private void runUntilStopped(ParsedArgs args) throws Exception {
        Path dataDir = Path.of(args.get(DATA_DIR)).toAbsolutePath();
        Files.createDirectories(dataDir);
        int webPort = args.get(WEB_PORT);
        requireFreePort(webPort, WEB_PORT);
        int metricsPort = args.get(METRICS_PORT);
        requireFreePort(metricsPort, METRICS_PORT);

        String jdbcUrl = args.get(JDBC_URL);
        String user = args.get(CommonFlags.JDBC_USER);
        // how the jobs log in to an existing PostgreSQL: the same password flag the demo was given,
        // or
        // none (then PGPASSWORD or ~/.pgpass, read in this same JVM)
        List<String> passwordFlags = new ArrayList<>();
        PostgresConnectionSettings postgres;
        if (jdbcUrl != null) {
            postgres =
                    new PostgresConnectionSettings(
                            jdbcUrl,
                            user,
                            args.get(CommonFlags.JDBC_PASSWORD),
                            args.get(CommonFlags.JDBC_PASSWORD_FILE));
            if (args.get(CommonFlags.JDBC_PASSWORD_FILE) != null) {
                passwordFlags.addAll(
                        List.of("--jdbc-password-file", args.get(CommonFlags.JDBC_PASSWORD_FILE)));
            } else if (args.get(CommonFlags.JDBC_PASSWORD) != null) {
                passwordFlags.addAll(
                        List.of("--jdbc-password", args.get(CommonFlags.JDBC_PASSWORD)));
            }
        } else {
            step("starting PostgreSQL (embedded, data in " + dataDir.resolve("postgres") + ")");
            EmbeddedPostgres pg =
                    LocalPostgres.startFresh(
                            dataDir.resolve("postgres"), LocalPostgres.JOB_SETTINGS);
            toClose.push(pg);
            jdbcUrl = LocalPostgres.jdbcUrl(pg);
            user = LocalPostgres.USER;
            // the embedded server is the demo's own, on localhost, and gone at Ctrl+C: its
            // well-known password is fine
            postgres = new PostgresConnectionSettings(jdbcUrl, user, LocalPostgres.PASSWORD);
            passwordFlags.addAll(List.of("--jdbc-password", LocalPostgres.PASSWORD));
        }
        step("applying the schema to " + postgres.url());
        SchemaMigrator.migrate(jdbcUrl, user, postgres.password());

        String kafka = args.get(KAFKA);
        if (kafka == null) {
            step(
                    "starting Kafka (embedded KRaft broker, data in "
                            + dataDir.resolve("kafka")
                            + ")");
            kafka = startKafka(dataDir.resolve("kafka"));
        }
        // an existing Kafka may need security settings: the jobs and the generator get the same
        // ones
        KafkaClientConfig kafkaConfig =
                new KafkaClientConfig(kafka, KafkaClientConfig.from(args).properties());
        for (String topic :
                List.of(
                        "user-events",
                        "events_raw",
                        "events_clean",
                        "orders",
                        "inventory_events",
                        "video-views")) {
            KafkaTopics.createIfMissing(kafkaConfig.clientProperties(), topic, 3);
        }
        // the menu is a small changelog: one partition, so a rarely written partition cannot hold
        // the drink-shop join's watermark back
        KafkaTopics.createIfMissing(kafkaConfig.clientProperties(), "menu_updates", 1);

        step("starting the local Flink cluster, web UI at http://localhost:" + webPort);
        Configuration flinkConf = new Configuration();
        flinkConf.set(RestOptions.PORT, webPort);
        flinkConf.set(RestOptions.BIND_PORT, String.valueOf(webPort));
        // the metrics the session cluster serves (flink-conf/config.yaml), so the dashboards and
        // alert
        // rules of monitoring/ can be tried against the demo with a local Prometheus
        flinkConf.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        flinkConf.setString("metrics.reporter.prom.port", String.valueOf(metricsPort));
        flinkConf.setString("metrics.job.status.enable", "STATE;CURRENT_TIME");
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(flinkConf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(
                                        2 * JOBS.size()
                                                + 2) // every job at parallelism 2, and room to
                                // restart
                                .build());
        cluster.start();
        toClose.push(cluster);

        Path savepoints = dataDir.resolve("savepoints");
        java.util.concurrent.atomic.AtomicReference<Generator> sentBy =
                new java.util.concurrent.atomic.AtomicReference<>();
        // runs after the jobs stopped (closing is last-in, first-out): every sent record is now
        // committed
        toClose.push(
                () -> {
                    if (sentBy.get() != null) {
                        try (Connection c = postgres.open("flink-pipelines demo")) {
                            System.out.println(
                                    LiveSummary.finalCheck(
                                            c,
                                            sentBy.get().sent("user-events"),
                                            sentBy.get().sent("events_raw")));
                        }
                    }
                });
        Map<String, JobClient> jobs = new java.util.LinkedHashMap<>();
        List<String> connectionFlags =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka,
                                "--jdbc-url",
                                jdbcUrl,
                                "--jdbc-user",
                                user,
                                "--starting-offsets",
                                "earliest",
                                "--parallelism",
                                "2"));
        connectionFlags.addAll(passwordFlags);
        kafkaConfig
                .properties()
                .forEach(
                        (k, v) -> connectionFlags.addAll(List.of("--kafka-property", k + "=" + v)));
        String[] connection = connectionFlags.toArray(new String[0]);
        for (StreamingJob job : JOBS) {
            ParsedArgs jobArgs = job.commandLine().parse(connection);
            job.preflight(jobArgs);
            jobs.put(job.name(), submit(webPort, job, jobArgs));
        }
        for (Map.Entry<String, JobClient> job : jobs.entrySet()) {
            toClose.push(() -> stopJob(job.getKey(), job.getValue(), savepoints));
            step("submitted " + job.getKey() + " (job " + job.getValue().getJobID() + ")");
        }

        Generator generator =
                new Generator(
                        kafkaConfig,
                        Generator.allTopics("user-events", "events_raw", Generator.fractions(args)),
                        args.get(Generator.RATE));
        sentBy.set(generator);
        Thread producing = new Thread(generator, "generator");
        producing.start();
        toClose.push(
                () -> {
                    generator.stop();
                    producing.join(10_000);
                    step(
                            "generator stopped after sending "
                                    + generator.sentTotal()
                                    + " records: "
                                    + generator.sent("user-events")
                                    + " to user-events, "
                                    + generator.sent("events_raw")
                                    + " to events_raw");
                });
        step(
                "generator producing "
                        + args.get(Generator.RATE)
                        + " events/s to user-events, events_raw, orders and video-views"
                        + " (menu_updates and inventory_events now and then)");
        System.out.println();
        System.out.println("Web UI:      http://localhost:" + webPort);
        System.out.println(
                "PostgreSQL:  "
                        + postgres.url()
                        + "  (user "
                        + user
                        + (args.get(JDBC_URL) == null ? ", password postgres)" : ")"));
        System.out.println("Kafka:       " + kafka);
        System.out.println("Ctrl+C stops everything.");
        System.out.println();

        LiveSummary summary = new LiveSummary();
        long every = args.get(SUMMARY_EVERY).toMillis();
        try (Connection c = postgres.open("flink-pipelines demo")) {
            while (!stopRequested.await(every, TimeUnit.MILLISECONDS)) {
                Map<String, String> status = new java.util.HashMap<>();
                for (Map.Entry<String, JobClient> job : jobs.entrySet()) {
                    status.put(
                            job.getKey(),
                            job.getValue().getJobStatus().get(5, TimeUnit.SECONDS).name());
                }
                System.out.println(summary.lines(c, status, generator.sentTotal()));
            }
        }
        System.out.println();
        step("stopping");
        System.out.println(
                "The data lived in PostgreSQL at "
                        + jdbcUrl
                        + (args.get(JDBC_URL) == null
                                ? " (embedded: its files stay in "
                                        + dataDir.resolve("postgres")
                                        + " until the next demo run starts fresh)"
                                : "")
                        + "; logs are in "
                        + dataDir.resolve("demo.log"));
    }

    /** Submits a job to the local cluster over REST, as `flink run` does to a session cluster. */
    private static JobClient submit(int webPort, StreamingJob job, ParsedArgs jobArgs)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment("localhost", webPort);
        JobEnvironment.configure(env, jobArgs);
        job.build(env, jobArgs);
        return env.executeAsync(job.name());
    }

    private static void stopJob(String name, JobClient job, Path savepoints) throws Exception {
        try {
            // a clean stop: the final savepoint commits the last transaction, nothing stays
            // prepared
            String savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    savepoints.toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(30, TimeUnit.SECONDS);
            step(name + " stopped with savepoint " + savepoint);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            job.cancel().get(30, TimeUnit.SECONDS);
            step(name + " cancelled (" + e.getMessage() + ")");
        }
    }

    private String startKafka(Path dir) throws Exception {
        KafkaClusterTestKit kafka = LocalKafka.startFresh(dir);
        toClose.push(kafka);
        return kafka.bootstrapServers();
    }

    private static void requireFreePort(int port, Flag<Integer> flag)
            throws Preflight.PreflightException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("localhost", port));
        } catch (IOException e) {
            throw new Preflight.PreflightException(
                    "port "
                            + port
                            + " is in use (another Flink?): stop it or pass --"
                            + flag.name());
        }
    }

    private void closeAll() {
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception e) {
                System.err.println(
                        "while stopping: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    static void step(String message) {
        System.out.println("==> " + message);
    }
}
