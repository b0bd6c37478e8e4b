package dev.flinkpipelines.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Samples, once a second, what an operator would look at while a fault plays out: each job's state
 * and whether all its tasks run (REST API), how much input it has consumed and committed (its
 * consumer group's offsets, committed at each completed checkpoint), and how many result rows are
 * visible in PostgreSQL. {@link #recovery} turns the samples into "RUNNING again", "input committed
 * again" and "rows visible again" per job after a fault.
 */
final class RecoveryMonitor implements AutoCloseable {

    /**
     * What one job looked like at one moment; -1 where it could not be read (a service was down).
     */
    record JobSample(
            String jobId,
            String state,
            boolean allTasksRunning,
            long committedOffsets,
            long rows) {}

    record Sample(long at, Map<String, JobSample> jobs) {}

    /** Per job: the query whose value grows as its results become visible. */
    static final Map<String, String> ROW_PROBES =
            Map.of(
                    "user-events", "SELECT count(*) FROM user_events",
                    "orders", "SELECT count(*) FROM events_clean",
                    // windows fire once a minute per currency: this grows only then
                    "kpi",
                            "SELECT (SELECT coalesce(sum(orders_created + payments_initiated + payment_success + payment_failed"
                                    + " + orders_cancelled), 0) FROM kpi_1m) + (SELECT count(*) FROM late_events)",
                    "drink-shop", "SELECT count(*) FROM order_items_enriched",
                    "video-views", "SELECT count(*) FROM view_ledger");

    private final StandaloneSessionCluster cluster;
    private final Supplier<Admin> kafka;
    private final RestartablePostgres postgres;

    /** Job name -> its current Flink job id, kept up to date by the runner. */
    private final Map<String, String> jobIds;

    /** Job name -> its consumer group. */
    private final Map<String, String> groups;

    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private Admin admin;
    private Connection connection;

    RecoveryMonitor(
            StandaloneSessionCluster cluster,
            Supplier<Admin> kafka,
            RestartablePostgres postgres,
            Map<String, String> jobIds,
            Map<String, String> groups) {
        this.cluster = cluster;
        this.kafka = kafka;
        this.postgres = postgres;
        this.jobIds = jobIds;
        this.groups = groups;
        this.thread = new Thread(this::loop, "fault-run-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    List<Sample> samples() {
        return samples;
    }

    private void loop() {
        while (running) {
            long started = System.currentTimeMillis();
            try {
                samples.add(sample(started));
            } catch (RuntimeException e) {
                // a sample is best effort; the next one comes in a second
            }
            long sleep = 1_000 - (System.currentTimeMillis() - started);
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private Sample sample(long at) {
        Map<String, JsonNode> overview = new ConcurrentHashMap<>();
        try {
            for (JsonNode job : cluster.rest("/jobs/overview").path("jobs")) {
                overview.put(job.path("jid").asText(), job);
            }
        } catch (Exception e) {
            // the JobManager is always up in this test; a slow answer is skipped
        }
        Map<String, Long> offsets = committedOffsets();
        Map<String, Long> rows = rows();
        Map<String, JobSample> jobs = new LinkedHashMap<>();
        for (Map.Entry<String, String> job : jobIds.entrySet()) {
            JsonNode o = overview.get(job.getValue());
            String state = o == null ? "UNKNOWN" : o.path("state").asText();
            boolean allRunning =
                    o != null
                            && state.equals("RUNNING")
                            && o.path("tasks").path("running").asInt()
                                    == o.path("tasks").path("total").asInt();
            jobs.put(
                    job.getKey(),
                    new JobSample(
                            job.getValue(),
                            state,
                            allRunning,
                            offsets.getOrDefault(job.getKey(), -1L),
                            rows.getOrDefault(job.getKey(), -1L)));
        }
        return new Sample(at, jobs);
    }

    private Map<String, Long> committedOffsets() {
        Map<String, Long> sums = new LinkedHashMap<>();
        try {
            if (admin == null) {
                admin = kafka.get();
            }
            Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
            groups.values().forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
            Map<String, Map<TopicPartition, OffsetAndMetadata>> all =
                    admin.listConsumerGroupOffsets(specs).all().get(3, TimeUnit.SECONDS);
            groups.forEach(
                    (job, group) -> {
                        long sum = 0;
                        for (OffsetAndMetadata o : all.getOrDefault(group, Map.of()).values()) {
                            if (o != null) {
                                sum += o.offset();
                            }
                        }
                        sums.put(job, sum);
                    });
        } catch (Exception e) {
            // the broker is down or slow: no offsets in this sample
        }
        return sums;
    }

    private Map<String, Long> rows() {
        Map<String, Long> rows = new LinkedHashMap<>();
        try {
            if (connection == null || connection.isClosed()) {
                connection = postgres.connect();
            }
            try (Statement s = connection.createStatement()) {
                s.setQueryTimeout(3);
                for (String job : jobIds.keySet()) {
                    try (ResultSet rs = s.executeQuery(ROW_PROBES.get(job))) {
                        rs.next();
                        rows.put(job, rs.getLong(1));
                    }
                }
            }
        } catch (SQLException e) {
            // PostgreSQL is restarting or our session was terminated: reconnect next time
            closeConnection();
        }
        return rows;
    }

    private void closeConnection() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // already gone
        }
        connection = null;
    }

    /**
     * How one job came back after a fault: milliseconds after the fault began, or -1 when it did
     * not happen.
     */
    record Recovery(
            String job,
            boolean interrupted,
            long runningAgainMillis,
            long inputCommittedAgainMillis,
            long rowsVisibleAgainMillis)
            implements java.io.Serializable {}

    /**
     * For each job, between {@code from} (the fault began) and {@code until}: whether it stopped
     * running all its tasks (or was replaced by a new job id), when it ran all tasks again, and
     * when its committed input offsets and its visible rows first grew after that.
     */
    List<Recovery> recovery(long from, long until) {
        List<Sample> window = new ArrayList<>();
        Sample before = null;
        for (Sample s : samples) {
            if (s.at() < from) {
                before = s;
            } else if (s.at() <= until) {
                window.add(s);
            }
        }
        List<Recovery> result = new ArrayList<>();
        for (String job : jobIds.keySet()) {
            String idBefore =
                    before == null || before.jobs().get(job) == null
                            ? null
                            : before.jobs().get(job).jobId();
            int interruptedAt = -1;
            for (int i = 0; i < window.size(); i++) {
                JobSample j = window.get(i).jobs().get(job);
                if (j == null) {
                    continue;
                }
                if (!j.allTasksRunning() || (idBefore != null && !idBefore.equals(j.jobId()))) {
                    interruptedAt = i;
                    break;
                }
            }
            int runningAt = -1;
            if (interruptedAt >= 0) {
                for (int i = interruptedAt; i < window.size(); i++) {
                    JobSample j = window.get(i).jobs().get(job);
                    if (j != null && j.allTasksRunning()) {
                        runningAt = i;
                        break;
                    }
                }
            }
            int reference = interruptedAt < 0 ? 0 : runningAt;
            long offsetsAgain = -1;
            long rowsAgain = -1;
            if (reference >= 0 && !window.isEmpty()) {
                long offsets = -1;
                long rows = -1;
                // the values when it was running again (or when the fault began): growth after that
                // is recovery
                for (int i = reference; i < window.size(); i++) {
                    JobSample j = window.get(i).jobs().get(job);
                    if (j == null) {
                        continue;
                    }
                    if (offsets < 0 && j.committedOffsets() >= 0) {
                        offsets = j.committedOffsets();
                    } else if (offsetsAgain < 0 && j.committedOffsets() > offsets && offsets >= 0) {
                        offsetsAgain = window.get(i).at() - from;
                    }
                    if (rows < 0 && j.rows() >= 0) {
                        rows = j.rows();
                    } else if (rowsAgain < 0 && j.rows() > rows && rows >= 0) {
                        rowsAgain = window.get(i).at() - from;
                    }
                }
            }
            result.add(
                    new Recovery(
                            job,
                            interruptedAt >= 0,
                            runningAt < 0
                                    ? (interruptedAt < 0 ? 0 : -1)
                                    : window.get(runningAt).at() - from,
                            offsetsAgain,
                            rowsAgain));
        }
        return result;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
        if (admin != null) {
            admin.close();
        }
    }
}
