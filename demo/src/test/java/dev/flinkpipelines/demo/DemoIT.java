package dev.flinkpipelines.demo;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, minus the build: embedded Kafka and PostgreSQL, the local cluster
 * with its web UI, the job, the generator and the summary; then an orderly stop whose final check
 * finds every generated record exactly once.
 */
class DemoIT {

    @TempDir Path dataDir;

    @Test
    void demoRunsShowsRowsArrivingAndStopsCleanlyWithExactCounts() throws Exception {
        int webPort;
        int metricsPort;
        try (ServerSocket s = new ServerSocket(0);
                ServerSocket m = new ServerSocket(0)) {
            webPort = s.getLocalPort();
            metricsPort = m.getLocalPort();
        }
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream console = System.out;
        Demo demo = new Demo(false);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread running =
                new Thread(
                        () -> {
                            try {
                                demo.run(
                                        Demo.commandLine()
                                                .parse(
                                                        "--web-port",
                                                        String.valueOf(webPort),
                                                        "--metrics-port",
                                                        String.valueOf(metricsPort),
                                                        "--data-dir",
                                                        dataDir.toString(),
                                                        "--rate",
                                                        "200",
                                                        "--summary-interval",
                                                        "1s"));
                            } catch (Throwable t) {
                                failure.set(t);
                            }
                        });
        System.setOut(
                new PrintStream(new TeeStream(captured, console), true, StandardCharsets.UTF_8));
        try {
            running.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!captured.toString(StandardCharsets.UTF_8)
                            .contains("user-events RUNNING | user_events 1,")
                    && System.nanoTime() < deadline
                    && failure.get() == null) {
                Thread.sleep(500);
            }
            HttpResponse<String> overview =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://localhost:"
                                                                    + webPort
                                                                    + "/jobs/overview"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            assertTrue(
                    overview.body().contains("\"name\":\"user-events\"")
                            && overview.body().contains("\"name\":\"orders\"")
                            && overview.body().contains("\"name\":\"kpi\"")
                            && !overview.body().contains("FAILED"),
                    overview.body());
            // the metrics monitoring/prometheus scrapes: the jobs' counters and the job status the
            // alerts read
            String metrics =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://localhost:"
                                                                    + metricsPort
                                                                    + "/metrics"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body();
            assertTrue(
                    metrics.contains("flink_taskmanager_job_task_operator_recordsValid{")
                            && metrics.contains("flink_jobmanager_job_runningState{"),
                    "Prometheus endpoint of the demo:\n"
                            + metrics.lines().limit(20).collect(Collectors.joining("\n")));
            demo.requestStop();
            running.join(120_000);
        } finally {
            System.setOut(console);
        }
        assertNull(failure.get(), () -> "the demo failed: " + failure.get());
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(
                out.contains("user-events RUNNING | user_events 1,"), "rows must arrive:\n" + out);
        assertTrue(
                out.contains("| orders RUNNING | events_clean "),
                "orders rows must arrive too:\n" + out);
        assertTrue(out.contains("| kpi RUNNING | kpi_1m "), "the kpi job must run:\n" + out);
        assertTrue(out.contains("kpi stopped with savepoint"), out);
        assertTrue(
                out.contains("| drink-shop RUNNING | order_items_enriched ")
                        && out.contains("drink-shop stopped with savepoint"),
                out);
        assertTrue(
                out.contains("| video-views RUNNING | view_ledger ")
                        && out.contains("video-views stopped with savepoint"),
                out);
        assertTrue(
                out.contains("user-events stopped with savepoint")
                        && out.contains("orders stopped with savepoint"),
                out);
        assertTrue(out.contains("-- every record exactly once"), out);
    }

    /** Writes to two streams. */
    static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
