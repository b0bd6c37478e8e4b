package dev.flinkpipelines.bench;

import dev.flinkpipelines.common.options.CommandLine;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.Flag;
import dev.flinkpipelines.common.options.RegisteredJob;
import dev.flinkpipelines.common.options.StreamingJob;
import dev.flinkpipelines.common.options.UsageException;
import dev.flinkpipelines.common.postgres.TableSpec;
import dev.flinkpipelines.sql.SchemaMigrator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code ./bench/run.sh}: in one run, on this machine, with its own embedded Kafka and PostgreSQL,
 * the COPY ceiling, each job's end-to-end throughput with the project's exactly-once sink, its
 * at-least-once mode and flink-connector-jdbc's XA sink, user-events freshness per checkpoint
 * interval, and the peak memory of every run; written to docs/BENCHMARKS.md and a PNG chart.
 */
public final class Bench {

    static final Flag<Integer> EVENTS =
            Flag.integer(
                    "events", 1, 2_000_000, "events pre-produced for user-events and for orders");
    static final Flag<Integer> KPI_EVENTS =
            Flag.integer("kpi-events", 1, 1_000_000, "events pre-produced for kpi");
    static final Flag<Integer> DRINK_SHOP_EVENTS =
            Flag.integer(
                    "drink-shop-events",
                    1,
                    200_000,
                    "records pre-produced for drink-shop (orders, menu and inventory topics together)");
    static final Flag<Integer> VIDEO_VIEWS_EVENTS =
            Flag.integer("video-views-events", 1, 500_000, "events pre-produced for video-views");
    static final Flag<String> JOBS =
            Flag.string(
                    "jobs",
                    "user-events,orders,kpi,drink-shop,video-views",
                    "jobs to measure, comma-separated");
    static final Flag<String> VARIANTS =
            Flag.string(
                    "variants",
                    "exactly-once,at-least-once,xa,exactly-once-streaming",
                    "sink variants to run per job, comma-separated (exactly-once-streaming runs where the XA run is streaming)");
    static final Flag<Integer> PARALLELISM =
            Flag.integer("parallelism", 1, 2, "job parallelism (and Kafka partitions / 2)");
    static final Flag<Duration> CHECKPOINT_INTERVAL =
            Flag.duration(
                    "checkpoint-interval",
                    Duration.ofSeconds(1),
                    Duration.ofMillis(100),
                    "checkpoint interval of the streaming throughput runs");
    static final Flag<Double> FRESHNESS_RATE =
            Flag.decimal("freshness-rate", 5000, "events/s for the freshness runs");
    static final Flag<Duration> FRESHNESS_DURATION =
            Flag.duration(
                    "freshness-duration",
                    Duration.ofSeconds(60),
                    Duration.ZERO,
                    "how long each freshness run produces (0 = skip freshness)");
    static final Flag<String> FRESHNESS_INTERVALS =
            Flag.string(
                    "freshness-intervals",
                    "250ms,1s,5s",
                    "checkpoint intervals of the freshness runs, comma-separated");
    static final Flag<Duration> RUN_TIMEOUT =
            Flag.duration(
                    "run-timeout",
                    Duration.ofMinutes(8),
                    Duration.ofSeconds(10),
                    "give up on one job run after this long");

    /**
     * The job JVMs' state backend; {@code rocksdb} is flink-conf/config.yaml's (RocksDB,
     * incremental checkpoints).
     */
    enum StateBackend {
        HASHMAP,
        ROCKSDB;

        String flag() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** For the report's "Machine and versions" table. */
        String describe() {
            return this == ROCKSDB
                    ? "rocksdb, incremental checkpoints (as flink-conf/config.yaml)"
                    : "hashmap (Flink's default; every checkpoint a full snapshot)";
        }
    }

    // rocksdb by default: what a deployment runs (flink-conf/config.yaml). With hashmap every
    // checkpoint
    // is a full snapshot of the growing dedup state: 54 % of the orders streaming run's CPU samples
    // went to writing them (JFR), a cost no deployment of this suite pays
    static final Flag<StateBackend> STATE_BACKEND =
            Flag.choice(
                    "state-backend",
                    StateBackend.class,
                    StateBackend.ROCKSDB,
                    "state backend of the forked job JVMs: rocksdb (incremental checkpoints, as flink-conf/config.yaml) or hashmap (full snapshots)");
    static final Flag<String> TASK_HEAP =
            Flag.string(
                    "task-heap", "1g", "-Xmx of each forked job JVM (JobManager + TaskManager)");
    static final Flag<String> DATA_DIR =
            Flag.string(
                    "data-dir", "bench-data", "PostgreSQL and Kafka files, checkpoints and logs");
    static final Flag<String> OUTPUT =
            Flag.string("output", "docs/BENCHMARKS.md", "the Markdown report");
    static final Flag<String> CHART = Flag.string("chart", "docs/benchmarks.png", "the PNG chart");

    /**
     * The table each job's XA run writes (the connector collides with itself when a job has two XA
     * sinks).
     */
    static final Map<String, String> MAIN_TABLE =
            Map.of(
                    "user-events",
                    "user_events",
                    "orders",
                    "events_clean",
                    "kpi",
                    "kpi_1m",
                    "drink-shop",
                    "order_items_enriched",
                    "video-views",
                    "public.view_ledger");

    /**
     * Jobs whose XA run is streaming over the pre-produced input, done when the main table holds
     * the exactly-once run's row count: one row per input record, so "all committed" is a count.
     * The others' main tables are windowed or wait for a watermark that never passes the last
     * events in an unbounded stream, so their XA run is the same --bounded (BATCH) job as the other
     * variants.
     */
    static final List<String> XA_STREAMING = List.of("user-events", "orders");

    public static CommandLine commandLine() {
        return new CommandLine(
                        "./bench/run.sh",
                        "Measures every job's throughput against the PostgreSQL COPY ceiling (exactly-once, at-least-once and"
                                + " flink-connector-jdbc XA sinks), user-events freshness per checkpoint interval, and peak memory,"
                                + " with its own embedded Kafka and PostgreSQL; writes docs/BENCHMARKS.md and docs/benchmarks.png.")
                .add(
                        EVENTS,
                        KPI_EVENTS,
                        DRINK_SHOP_EVENTS,
                        VIDEO_VIEWS_EVENTS,
                        JOBS,
                        VARIANTS,
                        PARALLELISM,
                        CHECKPOINT_INTERVAL,
                        FRESHNESS_RATE,
                        FRESHNESS_DURATION,
                        FRESHNESS_INTERVALS,
                        RUN_TIMEOUT,
                        STATE_BACKEND,
                        TASK_HEAP,
                        DATA_DIR,
                        OUTPUT,
                        CHART);
    }

    private final ParsedArgs args;
    private final List<StreamingJob> jobs = new ArrayList<>();
    private final List<Variant> variants = new ArrayList<>();
    private final List<Duration> freshnessIntervals = new ArrayList<>();
    private final Path dataDir;
    private final Results results = new Results();
    private Services services;
    private int runNo;

    private Bench(ParsedArgs args) throws UsageException {
        this.args = args;
        try {
            for (String j : args.get(JOBS).split(",")) {
                jobs.add(RegisteredJob.named(j.trim()));
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException("--jobs: " + e.getMessage());
        }
        try {
            for (String v : args.get(VARIANTS).split(",")) {
                variants.add(Variant.of(v));
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException("--variants: " + e.getMessage());
        }
        if (!variants.contains(Variant.EXACTLY_ONCE)
                && (variants.contains(Variant.XA)
                        || variants.contains(Variant.EXACTLY_ONCE_STREAMING))) {
            throw new UsageException(
                    "--variants: xa and exactly-once-streaming need exactly-once (its row counts tell when they are done)");
        }
        Flag<Duration> interval = Flag.duration("interval", null, Duration.ofMillis(100), "");
        CommandLine intervalParser = new CommandLine("", "").add(interval);
        if (args.get(FRESHNESS_DURATION).toSeconds() > 0) {
            for (String i : args.get(FRESHNESS_INTERVALS).split(",")) {
                try {
                    freshnessIntervals.add(
                            intervalParser.parse("--interval", i.trim()).get(interval));
                } catch (UsageException e) {
                    throw new UsageException(
                            "--freshness-intervals: '"
                                    + i.trim()
                                    + "': "
                                    + e.getMessage().replaceFirst("^--interval '[^']*': ", ""));
                }
            }
        }
        if (!(args.get(FRESHNESS_RATE) > 0)) {
            throw new UsageException("--freshness-rate must be > 0");
        }
        if (!args.get(TASK_HEAP).matches("\\d+[mMgG]")) {
            throw new UsageException(
                    "--task-heap: expected a JVM size such as 1g or 768m, got '"
                            + args.get(TASK_HEAP)
                            + "'");
        }
        this.dataDir = Path.of(args.get(DATA_DIR)).toAbsolutePath();
    }

    public static void main(String[] argv) {
        CommandLine cli = commandLine();
        Bench bench;
        try {
            ParsedArgs args = cli.parse(argv);
            if (args.helpRequested()) {
                System.out.print(cli.usage());
                System.exit(0);
            }
            bench = new Bench(args);
        } catch (UsageException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("Run with --help to see every flag.");
            System.exit(2);
            return;
        }
        String command =
                System.getProperty("bench.command", "./bench/run.sh " + String.join(" ", argv))
                        .strip();
        int code;
        try {
            bench.run(command);
            code = 0;
        } catch (Exception e) {
            System.err.println("error: the benchmark failed: " + JobRun.causes(e));
            e.printStackTrace(System.err);
            code = 1;
        }
        System.out.flush();
        Runtime.getRuntime().halt(code);
    }

    private void run(String command) throws Exception {
        long started = System.nanoTime();
        results.command = command;
        results.startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Files.createDirectories(dataDir.resolve("logs"));
        step("starting PostgreSQL and Kafka (embedded, files in " + dataDir + ")");
        services = new Services(dataDir);
        try {
            SchemaMigrator.migrate(services.jdbcUrl, "postgres", "postgres");
            results.environment.putAll(
                    Environment.describe(
                            services,
                            args.get(PARALLELISM),
                            args.get(TASK_HEAP),
                            args.get(STATE_BACKEND).describe()));
            int partitions = 2 * args.get(PARALLELISM);
            for (StreamingJob job : jobs) {
                for (String topic : EventFeed.topics(job.name())) {
                    services.createTopic(
                            topic, topic.equals("bench-menu-updates") ? 1 : partitions);
                }
            }
            services.createTopic("bench-orders-out", partitions);
            for (StreamingJob job : jobs) {
                measureJob(job);
            }
            for (Duration interval : freshnessIntervals) {
                measureFreshness(interval, partitions);
            }
        } finally {
            results.totalMinutes = (System.nanoTime() - started) / 6e10;
            step("stopping Kafka and PostgreSQL");
            services.close();
        }
        Path output = Path.of(args.get(OUTPUT));
        Path chart = Path.of(args.get(CHART));
        if (output.getParent() != null) {
            Files.createDirectories(output.getParent());
        }
        if (chart.getParent() != null) {
            Files.createDirectories(chart.getParent());
        }
        Chart.draw(results, chart);
        Files.writeString(
                output,
                Report.markdown(
                        results,
                        output.toAbsolutePath()
                                .getParent()
                                .relativize(chart.toAbsolutePath())
                                .toString(),
                        output));
        step(
                String.format(
                        Locale.ROOT,
                        "done in %.1f min: %s and %s",
                        results.totalMinutes,
                        output,
                        chart));
        System.out.println();
        System.out.println(Report.summary(results));
    }

    private long eventsFor(String job) {
        switch (job) {
            case "kpi":
                return args.get(KPI_EVENTS);
            case "drink-shop":
                return args.get(DRINK_SHOP_EVENTS);
            case "video-views":
                return args.get(VIDEO_VIEWS_EVENTS);
            default:
                return args.get(EVENTS);
        }
    }

    private void measureJob(StreamingJob job) throws Exception {
        Results.Job r = new Results.Job(job.name());
        results.jobs.add(r);
        r.events = eventsFor(job.name());
        step(job.name() + ": producing " + String.format(Locale.ROOT, "%,d", r.events) + " events");
        long t = System.nanoTime();
        r.eventsPerTopic = EventFeed.preProduce(services.bootstrapServers, job.name(), r.events);
        step(
                job.name()
                        + String.format(
                                Locale.ROOT,
                                ": produced in %.1f s %s",
                                (System.nanoTime() - t) / 1e9,
                                r.eventsPerTopic));
        List<TableSpec> tables = sinkTables(job);
        for (Variant variant : variants) {
            boolean xaStreaming = XA_STREAMING.contains(job.name());
            if (variant == Variant.EXACTLY_ONCE_STREAMING && !xaStreaming) {
                continue;
            }
            boolean bounded =
                    variant == Variant.EXACTLY_ONCE
                            || variant == Variant.AT_LEAST_ONCE
                            || (variant == Variant.XA && !xaStreaming);
            Map<String, String> opts = new LinkedHashMap<>();
            String main = MAIN_TABLE.get(job.name());
            if (variant == Variant.XA) {
                opts.put("xaTable", main);
            }
            if (!bounded) {
                Results.Run eo = r.runs.get(Variant.EXACTLY_ONCE);
                if (eo == null || !eo.ok()) {
                    step(
                            job.name()
                                    + " "
                                    + variant.flag
                                    + ": skipped (needs a successful exactly-once run's row count)");
                    continue;
                }
                opts.put("expectTable", main);
                opts.put("expectRows", String.valueOf(eo.rows.get(main)));
            }
            Results.Run run =
                    runJob(
                            job,
                            variant,
                            bounded,
                            opts,
                            tables,
                            r.events,
                            args.get(CHECKPOINT_INTERVAL),
                            null);
            if (variant == Variant.XA) {
                run.writes = main + " only";
            }
            r.runs.put(variant, run);
            if (variant == Variant.EXACTLY_ONCE && run.ok()) {
                step(
                        job.name()
                                + ": COPY ceiling of the same rows into empty copies of its tables");
                r.ceiling = CopyCeiling.measure(services, tables, dataDir.resolve("ceiling"));
                step(
                        String.format(
                                Locale.ROOT,
                                "%s: COPY %,d rows in %.2f s = %,.0f rows/s (%,.0f events/s)",
                                job.name(),
                                r.ceiling.rows,
                                r.ceiling.seconds,
                                r.ceiling.rowsPerSecond(),
                                r.ceilingEventsPerSecond()));
            }
        }
    }

    /** The job's flags pointing at the bench's services and topics. */
    private List<String> jobFlags(
            StreamingJob job,
            Variant variant,
            boolean bounded,
            Duration checkpointInterval,
            String inputTopic) {
        List<String> f =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                services.bootstrapServers,
                                "--jdbc-url",
                                services.jdbcUrl,
                                "--jdbc-user",
                                "postgres",
                                "--jdbc-password",
                                "postgres",
                                "--starting-offsets",
                                "earliest",
                                "--group-id",
                                "bench-" + job.name() + "-" + variant.flag + "-" + (++runNo),
                                "--parallelism",
                                String.valueOf(args.get(PARALLELISM)),
                                "--checkpoint-interval",
                                checkpointInterval.toMillis() + "ms"));
        if (bounded) {
            f.add("--bounded");
        }
        List<String> topics = EventFeed.topics(job.name());
        switch (job.name()) {
            case "drink-shop":
                f.addAll(
                        List.of(
                                "--orders-topic",
                                topics.get(0),
                                "--menu-topic",
                                topics.get(1),
                                "--inventory-topic",
                                topics.get(2)));
                break;
            case "orders":
                f.addAll(
                        List.of(
                                "--input-topic",
                                topics.get(0),
                                "--output-topic",
                                "bench-orders-out"));
                break;
            case "video-views":
                // the streaming tables, also with --bounded (which defaults to the reconcile
                // schema)
                f.addAll(List.of("--input-topic", topics.get(0), "--output-schema", "public"));
                break;
            default:
                f.addAll(List.of("--input-topic", inputTopic != null ? inputTopic : topics.get(0)));
        }
        return f;
    }

    private List<TableSpec> sinkTables(StreamingJob job) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        List<String> flags = jobFlags(job, Variant.EXACTLY_ONCE, true, Duration.ofSeconds(1), null);
        runNo--;
        List<TableSpec> tables = new ArrayList<>();
        job.build(
                env,
                job.commandLine().parse(flags.toArray(new String[0])),
                output -> tables.addAll(output.tables()));
        return tables;
    }

    private Results.Run runJob(
            StreamingJob job,
            Variant variant,
            boolean bounded,
            Map<String, String> opts,
            List<TableSpec> tables,
            long events,
            Duration checkpointInterval,
            FreshnessHook freshness)
            throws Exception {
        resetTables(tables);
        Results.Run run = new Results.Run();
        run.variant = variant;
        run.mode = bounded ? "batch" : "streaming";
        run.events = events;
        String label =
                job.name()
                        + " "
                        + variant.flag
                        + (freshness != null ? " @" + checkpointInterval.toMillis() + "ms" : "")
                        + " ("
                        + run.mode
                        + ")";
        step(label + ": running");
        Path log =
                dataDir.resolve("logs")
                        .resolve(job.name() + "-" + variant.flag + "-" + runNo + ".log");
        Path checkpoints = dataDir.resolve("checkpoints").resolve(String.valueOf(runNo + 1));
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx" + args.get(TASK_HEAP),
                                "-Xms" + args.get(TASK_HEAP),
                                "-Dbench.log.file=" + log));
        cmd.addAll(JAVA_OPENS);
        // extra JVM options for the job JVMs, e.g. a JFR recording when profiling
        String extra = System.getenv("BENCH_JOB_JVM_OPTS");
        if (extra != null && !extra.isBlank()) {
            for (String o : extra.trim().split("\\s+")) {
                cmd.add(o.replace("{run}", job.name() + "-" + variant.flag + "-" + runNo));
            }
        }
        cmd.addAll(
                List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        JobRun.class.getName(),
                        "job=" + job.name(),
                        "variant=" + variant.flag,
                        "bounded=" + bounded,
                        "timeoutMs=" + args.get(RUN_TIMEOUT).toMillis(),
                        "checkpointDir=" + checkpoints,
                        "stateBackend=" + args.get(STATE_BACKEND).flag()));
        opts.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add("--");
        cmd.addAll(
                jobFlags(
                        job,
                        variant,
                        bounded,
                        checkpointInterval,
                        freshness != null ? freshness.topic() : null));
        double pgCpuBefore = CpuTime.postgres();
        double ownCpuBefore = CpuTime.thisJvm();
        Process process =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.PIPE)
                        .start();
        String resultLine = null;
        List<String> tail = new ArrayList<>();
        try (BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.equals("BENCH-RUNNING") && freshness != null) {
                    freshness.whileRunning();
                    OutputStream in = process.getOutputStream();
                    in.write("stop\n".getBytes(StandardCharsets.UTF_8));
                    in.flush();
                } else if (line.startsWith("BENCH-RESULT ")) {
                    resultLine = line.substring("BENCH-RESULT ".length());
                } else if (!line.equals("BENCH-RUNNING")) {
                    tail.add(line);
                    if (tail.size() > 20) {
                        tail.remove(0);
                    }
                }
            }
        }
        if (!process.waitFor(args.get(RUN_TIMEOUT).toMillis() + 120_000, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
        }
        run.cpuPostgres = CpuTime.postgres() - pgCpuBefore;
        run.cpuKafka = CpuTime.thisJvm() - ownCpuBefore;
        if (resultLine == null) {
            run.status = "CRASHED";
            run.error =
                    "the job JVM ended without a result (exit "
                            + process.exitValue()
                            + "): "
                            + String.join(" | ", tail);
        } else {
            parseResult(resultLine, run);
        }
        if (run.error.isEmpty() && !run.ok()) {
            run.error = FirstFailure.in(log);
        }
        try (Connection c = services.connect();
                Statement s = c.createStatement()) {
            for (TableSpec t : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + t.name())) {
                    rs.next();
                    run.rows.put(t.name(), rs.getLong(1));
                }
            }
            List<String> prepared = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT gid FROM pg_prepared_xacts")) {
                while (rs.next()) {
                    prepared.add(rs.getString(1));
                }
            }
            run.preparedLeft = prepared.size();
        }
        step(
                String.format(
                        Locale.ROOT,
                        "%s: %s in %.1f s = %,.0f events/s; rows %s; prepared left %d; heap peak %d MB (live %d MB), RSS %d MB; CPU s: flink %.0f, postgres %.0f, kafka+bench %.0f%s",
                        label,
                        run.status,
                        run.seconds,
                        run.eventsPerSecond(),
                        run.rows,
                        run.preparedLeft,
                        run.heapPeakMb,
                        run.heapLivePeakMb,
                        run.rssPeakMb,
                        run.cpuFlink,
                        run.cpuPostgres,
                        run.cpuKafka,
                        run.error.isEmpty() ? "" : "; error: " + abbreviate(run.error, 300)));
        return run;
    }

    /**
     * Runs user-events streaming at {@code interval} while the probe produces at the fixed rate.
     */
    private void measureFreshness(Duration interval, int partitions) throws Exception {
        StreamingJob job = RegisteredJob.named("user-events");
        String topic = "bench-fresh-" + interval.toMillis();
        services.createTopic(topic, partitions);
        FreshnessProbe probe = new FreshnessProbe(partitions);
        Results.Freshness f = new Results.Freshness();
        f.intervalMs = interval.toMillis();
        long seconds = args.get(FRESHNESS_DURATION).toSeconds();
        double rate = args.get(FRESHNESS_RATE);
        f.sent = (long) (rate * seconds);
        FreshnessHook hook =
                new FreshnessHook() {
                    @Override
                    public String topic() {
                        return topic;
                    }

                    @Override
                    public void whileRunning() throws Exception {
                        Thread.sleep(3000); // let the sources and the first checkpoint settle
                        try (Connection c = services.connect()) {
                            Thread poller = new Thread(() -> probe.poll(c), "freshness-poller");
                            poller.start();
                            step(
                                    String.format(
                                            Locale.ROOT,
                                            "freshness @%d ms: producing %.0f events/s for %d s",
                                            f.intervalMs,
                                            rate,
                                            seconds));
                            f.achievedRate =
                                    probe.produce(services.bootstrapServers, topic, rate, seconds);
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                            while (!probe.allVisible() && System.nanoTime() < deadline) {
                                Thread.sleep(100);
                            }
                            probe.stopPolling();
                            poller.join();
                        }
                    }
                };
        f.run =
                runJob(
                        job,
                        Variant.EXACTLY_ONCE,
                        false,
                        Map.of(),
                        sinkTables(job),
                        f.sent,
                        interval,
                        hook);
        long[] notVisible = new long[1];
        Percentiles p = new Percentiles(probe.delays(notVisible));
        f.measured = p.count();
        f.notVisible = notVisible[0];
        if (p.count() > 0) {
            f.p50 = p.at(50);
            f.p95 = p.at(95);
            f.p99 = p.at(99);
            f.max = p.max();
        }
        results.freshness.add(f);
        step(
                String.format(
                        Locale.ROOT,
                        "freshness @%d ms: %,d records (%.0f/s), p50 %d ms, p95 %d ms, p99 %d ms, max %d ms, not visible %d",
                        f.intervalMs,
                        f.measured,
                        f.achievedRate,
                        f.p50,
                        f.p95,
                        f.p99,
                        f.max,
                        f.notVisible));
    }

    interface FreshnessHook {
        String topic();

        void whileRunning() throws Exception;
    }

    private void resetTables(List<TableSpec> tables) throws Exception {
        try (Connection c = services.connect();
                Statement s = c.createStatement()) {
            List<String> gids = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT gid FROM pg_prepared_xacts")) {
                while (rs.next()) {
                    gids.add(rs.getString(1));
                }
            }
            for (String gid : gids) {
                s.execute("ROLLBACK PREPARED '" + gid.replace("'", "''") + "'");
            }
            s.execute(
                    "TRUNCATE " + String.join(", ", tables.stream().map(TableSpec::name).toList()));
            s.execute("CHECKPOINT");
        }
    }

    private static void parseResult(String line, Results.Run run) {
        int e = line.indexOf("error=");
        run.error = line.substring(e + "error=".length()).strip();
        for (String kv : line.substring(0, e).split(";")) {
            if (kv.isBlank()) {
                continue;
            }
            String k = kv.substring(0, kv.indexOf('='));
            String v = kv.substring(kv.indexOf('=') + 1);
            switch (k) {
                case "status":
                    run.status = v;
                    break;
                case "seconds":
                    run.seconds = Double.parseDouble(v);
                    break;
                case "heapPeakMb":
                    run.heapPeakMb = Long.parseLong(v);
                    break;
                case "heapLivePeakMb":
                    run.heapLivePeakMb = Long.parseLong(v);
                    break;
                case "rssPeakMb":
                    run.rssPeakMb = Long.parseLong(v);
                    break;
                case "cpuSeconds":
                    run.cpuFlink = Double.parseDouble(v);
                    break;
                default:
                    break;
            }
        }
    }

    static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    static void step(String message) {
        System.out.println(
                java.time.LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " ==> " + message);
        System.out.flush();
    }

    static final List<String> JAVA_OPENS =
            List.of(
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED");
}
