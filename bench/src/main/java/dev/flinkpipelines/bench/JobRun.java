package dev.flinkpipelines.bench;

import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.JobEnvironment;
import dev.flinkpipelines.common.options.RegisteredJob;
import dev.flinkpipelines.common.options.StreamingJob;
import dev.flinkpipelines.common.postgres.PostgresConnectionSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One benchmark run in its own JVM, so its memory is the job's alone: a local Flink cluster
 * (JobManager and one TaskManager in this JVM), one job with one sink variant, timed from
 * submission to the last row committed. Prints {@code BENCH-RUNNING} once the job runs and one
 * {@code BENCH-RESULT k=v;...;error=...} line at the end. Started by {@link Bench}, not by people.
 *
 * <p>Arguments: {@code key=value ... -- <job flags>}; keys: job, variant, bounded, timeoutMs,
 * expectTable + expectRows (streaming: done when the table holds that many rows), xaTable, xaBatch,
 * checkpointDir, stateBackend (hashmap, or rocksdb: RocksDB with incremental checkpoints, as
 * flink-conf/config.yaml; Bench passes rocksdb unless told otherwise). Streaming without
 * expectTable runs until a line arrives on stdin.
 */
public final class JobRun {

    public static void main(String[] argv) throws Exception {
        int sep = Arrays.asList(argv).indexOf("--");
        Map<String, String> opts = new HashMap<>();
        for (String kv : Arrays.copyOfRange(argv, 0, sep)) {
            opts.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        String[] jobFlags = Arrays.copyOfRange(argv, sep + 1, argv.length);
        MemorySampler memory = new MemorySampler();
        memory.start();
        Map<String, String> result = new java.util.LinkedHashMap<>();
        String error = "";
        try {
            run(opts, jobFlags, result);
        } catch (Throwable t) {
            error = causes(t);
            result.putIfAbsent("status", "FAILED");
        }
        memory.stopSampling();
        result.put("heapPeakMb", String.valueOf(memory.heapPeak / (1 << 20)));
        result.put("heapLivePeakMb", String.valueOf(memory.heapAfterGcPeak / (1 << 20)));
        result.put("rssPeakMb", String.valueOf(MemorySampler.rssPeakKb() / 1024));
        result.put("cpuSeconds", String.format(java.util.Locale.ROOT, "%.1f", CpuTime.thisJvm()));
        StringBuilder line = new StringBuilder("BENCH-RESULT ");
        result.forEach((k, v) -> line.append(k).append('=').append(v).append(';'));
        line.append("error=").append(error.replace('\n', ' '));
        System.out.println(line);
        System.out.flush();
        // a JFR recording (BENCH_JOB_JVM_OPTS) is written when it stops; halt would lose it
        try {
            for (jdk.jfr.Recording recording :
                    jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings()) {
                recording.stop();
            }
        } catch (Throwable ignored) {
            // no recording
        }
        // Kafka and Flink threads may linger; the result is out
        Runtime.getRuntime().halt(0);
    }

    private static void run(Map<String, String> opts, String[] jobFlags, Map<String, String> result)
            throws Exception {
        StreamingJob job = RegisteredJob.named(opts.get("job"));
        Variant variant = Variant.of(opts.get("variant"));
        boolean bounded = Boolean.parseBoolean(opts.get("bounded"));
        long timeoutMs = Long.parseLong(opts.get("timeoutMs"));
        ParsedArgs args = job.commandLine().parse(jobFlags);

        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        // keyed state (the orders job's dedup ids) outgrows the JobManager's in-memory storage
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                Path.of(opts.get("checkpointDir")).toUri().toString());
        configureStateBackend(conf, opts.getOrDefault("stateBackend", "hashmap"));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(
                        args.get(CommonFlags.PARALLELISM), conf);
        JobEnvironment.configure(env, args);
        job.build(
                env,
                args,
                SinkVariants.of(
                        variant,
                        job,
                        args,
                        opts.get("xaTable"),
                        Integer.parseInt(opts.getOrDefault("xaBatch", "1000"))));
        PostgresConnectionSettings pg = JobEnvironment.postgres(args);

        long start = System.nanoTime();
        JobClient client = env.executeAsync(job.name() + " (" + variant.flag + ")");
        awaitRunning(client);
        System.out.println("BENCH-RUNNING");
        System.out.flush();
        if (bounded) {
            try {
                client.getJobExecutionResult().get(timeoutMs, TimeUnit.MILLISECONDS);
                result.put("status", "FINISHED");
            } catch (TimeoutException e) {
                result.put("status", "TIMEOUT");
                client.cancel().get(60, TimeUnit.SECONDS);
            }
            result.put("seconds", seconds(start));
        } else if (opts.containsKey("expectTable")) {
            String table = opts.get("expectTable");
            long expected = Long.parseLong(opts.get("expectRows"));
            long rows = awaitRows(client, pg, table, expected, start, timeoutMs);
            result.put("seconds", seconds(start));
            result.put(
                    "status",
                    rows >= expected
                            ? "REACHED"
                            : client.getJobStatus().get().isGloballyTerminalState()
                                    ? client.getJobStatus().get().name()
                                    : "TIMEOUT");
            result.put("rowsSeen", String.valueOf(rows));
            if (!client.getJobStatus().get().isGloballyTerminalState()) {
                client.cancel().get(60, TimeUnit.SECONDS);
            }
            rethrowFailure(client);
        } else {
            new BufferedReader(new InputStreamReader(System.in)).readLine();
            result.put("seconds", seconds(start));
            result.put("status", client.getJobStatus().get().name());
            client.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * {@code rocksdb}: state.backend.type rocksdb + execution.checkpointing.incremental true, as
     * flink-conf/config.yaml.
     */
    static void configureStateBackend(Configuration conf, String backend) {
        switch (backend) {
            case "hashmap":
                conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
                break;
            case "rocksdb":
                conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
                conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
                break;
            default:
                throw new IllegalArgumentException(
                        "stateBackend: expected hashmap or rocksdb, got '" + backend + "'");
        }
    }

    private static void awaitRunning(JobClient client) throws Exception {
        while (true) {
            JobStatus status = client.getJobStatus().get();
            if (status == JobStatus.RUNNING || status.isGloballyTerminalState()) {
                return;
            }
            Thread.sleep(20);
        }
    }

    /**
     * Polls the row count (once a second, every 200 ms near the goal) until {@code expected} or the
     * job ends.
     */
    private static long awaitRows(
            JobClient client,
            PostgresConnectionSettings pg,
            String table,
            long expected,
            long start,
            long timeoutMs)
            throws Exception {
        long rows = 0;
        try (Connection c = pg.open("bench-poller");
                Statement s = c.createStatement()) {
            while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
                    r.next();
                    rows = r.getLong(1);
                }
                if (rows >= expected || client.getJobStatus().get().isGloballyTerminalState()) {
                    return rows;
                }
                Thread.sleep(rows > expected * 0.9 ? 200 : 1000);
            }
        }
        return rows;
    }

    private static void rethrowFailure(JobClient client) throws Exception {
        if (client.getJobStatus().get() == JobStatus.FAILED) {
            client.getJobExecutionResult().get(10, TimeUnit.SECONDS);
        }
    }

    private static String seconds(long startNanos) {
        return String.format(java.util.Locale.ROOT, "%.3f", (System.nanoTime() - startNanos) / 1e9);
    }

    static String causes(Throwable t) {
        java.util.Set<String> messages = new java.util.LinkedHashSet<>();
        for (Throwable c = t; c != null && messages.size() < 8; c = c.getCause()) {
            String m = c.getMessage();
            messages.add(
                    c.getClass().getSimpleName()
                            + (m == null || m.isBlank() ? "" : ": " + m.strip()));
        }
        return String.join(" <- ", messages);
    }

    /** Samples heap use every 100 ms: the peak used, and the peak still live right after a GC. */
    static final class MemorySampler extends Thread {
        volatile boolean running = true;
        long heapPeak;
        long heapAfterGcPeak;

        MemorySampler() {
            super("bench-memory-sampler");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                sample();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private synchronized void sample() {
            heapPeak =
                    Math.max(
                            heapPeak,
                            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            long afterGc = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                MemoryUsage collected =
                        pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
                if (collected != null) {
                    afterGc += collected.getUsed();
                }
            }
            heapAfterGcPeak = Math.max(heapAfterGcPeak, afterGc);
        }

        void stopSampling() throws InterruptedException {
            running = false;
            join(1000);
            sample();
        }

        /** The process's peak resident set size (VmHWM), from the kernel. */
        static long rssPeakKb() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmHWM:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (Exception e) {
                // not Linux: unknown
            }
            return -1;
        }
    }
}
