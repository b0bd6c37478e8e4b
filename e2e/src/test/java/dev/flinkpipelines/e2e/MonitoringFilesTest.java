package dev.flinkpipelines.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flinkpipelines.e2e.Monitoring.Panel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The monitoring files on their own: the alert rules pass Prometheus' own {@code promtool} (syntax
 * and a unit test per alert), the dashboards name only provisioned datasources and hold every
 * promised panel, and every query is one the other checks can follow. Whether the metrics exist and
 * the SQL returns what the panels show is checked against a real cluster and real rows in {@link
 * SessionClusterE2EIT}.
 *
 * <p>{@code promtool} comes with Debian's {@code prometheus} package, which {@code .ci/run}
 * installs.
 */
class MonitoringFilesTest {

    @Test
    void theAlertRulesAndPrometheusConfigPassPromtool() throws Exception {
        promtool("check", "rules", Monitoring.RULES.toString());
        promtool("check", "config", Monitoring.DIR.resolve("prometheus/prometheus.yml").toString());
    }

    @Test
    void everyAlertFiresInItsPromtoolTestAndTheTestsPass() throws Exception {
        Path tests = Monitoring.DIR.resolve("prometheus/alerts.test.yml");
        Set<String> alerts = new TreeSet<>();
        Monitoring.alertRules().forEach(rule -> alerts.add(rule.path("alert").asText()));
        assertTrue(
                alerts.size() >= 8,
                "job status, restarts, checkpoints, lag, dead letters, prepared transactions: "
                        + alerts);
        Set<String> firedInATest = new TreeSet<>();
        Set<String> quietInATest = new TreeSet<>();
        for (JsonNode test : new YAMLMapper().readTree(tests.toFile()).path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                (check.path("exp_alerts").isEmpty() ? quietInATest : firedInATest)
                        .add(check.path("alertname").asText());
            }
        }
        Set<String> untested = new TreeSet<>(alerts);
        untested.removeAll(firedInATest);
        assertEquals(Set.of(), untested, "alerts no promtool test case expects to fire");
        Set<String> neverQuiet = new TreeSet<>(alerts);
        neverQuiet.removeAll(quietInATest);
        // the two "down" alerts read `up`, which has nothing subtler than 0 and 1 to tell apart
        neverQuiet.removeAll(Set.of("FlinkTaskManagerDown"));
        assertEquals(
                Set.of(),
                neverQuiet,
                "alerts no test case shows staying quiet on a healthy series");
        promtool("test", "rules", tests.toString());
    }

    @Test
    void everyAlertSaysHowBadAndWhatToDo() {
        for (JsonNode rule : Monitoring.alertRules()) {
            String name = rule.path("alert").asText();
            assertTrue(
                    Set.of("critical", "warning")
                            .contains(rule.path("labels").path("severity").asText()),
                    name + ": severity");
            assertFalse(
                    rule.path("annotations").path("summary").asText().isBlank(),
                    name + ": summary");
            assertFalse(
                    rule.path("annotations").path("description").asText().isBlank(),
                    name + ": description");
        }
    }

    @Test
    void dashboardsReferOnlyToProvisionedDatasources() throws IOException {
        Map<String, String> provisioned = new TreeMap<>(); // uid -> type
        new YAMLMapper()
                .readTree(Monitoring.DATASOURCES.toFile())
                .path("datasources")
                .forEach(ds -> provisioned.put(ds.path("uid").asText(), ds.path("type").asText()));
        assertEquals(
                Set.of("flink-pipelines-prometheus", "flink-pipelines-postgres"),
                provisioned.keySet());
        List<String> wrong = new ArrayList<>();
        for (Panel panel : Monitoring.panels()) {
            checkDatasource(panel.where(), panel.json().path("datasource"), provisioned, wrong);
            assertFalse(panel.targets().isEmpty(), panel.where() + ": a panel without a query");
            for (JsonNode target : panel.targets()) {
                checkDatasource(
                        panel.where() + " [" + target.path("refId").asText() + "]",
                        target.path("datasource"),
                        provisioned,
                        wrong);
                String type = Monitoring.datasourceType(panel, target);
                if (type.equals("prometheus")) {
                    assertFalse(
                            target.path("expr").asText().isBlank(),
                            panel.where() + ": a Prometheus target needs expr");
                } else {
                    assertTrue(
                            target.path("rawQuery").asBoolean()
                                    && !target.path("rawSql").asText().isBlank(),
                            panel.where()
                                    + ": a PostgreSQL target is raw SQL (code mode), so the tests can run it");
                }
            }
        }
        for (Monitoring.Dashboard dashboard : Monitoring.dashboards()) {
            for (JsonNode variable : dashboard.json().path("templating").path("list")) {
                checkDatasource(
                        dashboard.title() + " / variable " + variable.path("name").asText(),
                        variable.path("datasource"),
                        provisioned,
                        wrong);
            }
        }
        assertEquals(List.of(), wrong, "datasource references that Grafana would not find");
    }

    private static void checkDatasource(
            String where,
            JsonNode datasource,
            Map<String, String> provisioned,
            List<String> wrong) {
        String uid = datasource.path("uid").asText(null);
        if (uid == null || !provisioned.containsKey(uid)) {
            wrong.add(where + ": uid " + uid);
        } else if (!provisioned.get(uid).equals(datasource.path("type").asText())) {
            wrong.add(
                    where
                            + ": type "
                            + datasource.path("type").asText()
                            + " but "
                            + uid
                            + " is "
                            + provisioned.get(uid));
        }
    }

    @Test
    void everyPromisedPanelExists() {
        Map<String, List<String>> promised = new LinkedHashMap<>();
        promised.put(
                "Business",
                List.of(
                        "Revenue per minute",
                        "Payments per minute",
                        "Payment success rate per minute",
                        "Average order value per minute",
                        "Last 15 minutes, 1 hour and 24 hours",
                        "Late events",
                        "Sales per minute",
                        "Sales per hour",
                        "Top 10 items, last 5 minutes",
                        "Top 10 items, last 60 minutes",
                        "Stock levels",
                        "Inventory alerts",
                        "Average order value per hour (drink shop)",
                        "Movie activity per minute by event type",
                        "Top movies",
                        "Views per hour, top 10 videos",
                        "Payouts per day"));
        promised.put(
                "Data quality",
                List.of(
                        "Dead letters per minute by job",
                        "Dead letters per minute by error code",
                        "Dead letters by job and error code",
                        "Latest rejected payloads",
                        "Duplicates dropped per second",
                        "Late records per second",
                        "Rejected share of records read"));
        promised.put(
                "Operations",
                List.of(
                        "Jobs",
                        "Firing alerts",
                        "Records in per second",
                        "Rows written per second",
                        "Valid share of records read",
                        "Kafka consumer lag",
                        "Backpressure",
                        "Checkpoint duration",
                        "Checkpoint size",
                        "Checkpoint failures and restarts",
                        "Commit latency",
                        "Transactions committed and rolled back",
                        "Oldest prepared transaction"));
        Map<String, Set<String>> present = new TreeMap<>();
        for (Panel panel : Monitoring.panels()) {
            present.computeIfAbsent(panel.dashboard().title(), d -> new HashSet<>())
                    .add(panel.title());
        }
        promised.forEach(
                (dashboard, titles) -> {
                    List<String> missing = new ArrayList<>(titles);
                    missing.removeAll(present.getOrDefault(dashboard, Set.of()));
                    assertEquals(List.of(), missing, "panels missing from dashboard " + dashboard);
                });
    }

    @Test
    void dashboardsHaveUniqueUidsAndPanelIds() {
        Set<String> uids = new HashSet<>();
        for (Monitoring.Dashboard dashboard : Monitoring.dashboards()) {
            assertTrue(
                    uids.add(dashboard.json().path("uid").asText()),
                    dashboard.file() + ": uid used twice");
            assertFalse(
                    dashboard.json().path("editable").asBoolean(true),
                    dashboard.file() + ": provisioned from the repository, not edited in Grafana");
            Set<Integer> ids = new HashSet<>();
            dashboard
                    .json()
                    .path("panels")
                    .forEach(
                            panel ->
                                    assertTrue(
                                            ids.add(panel.path("id").asInt()),
                                            dashboard.file()
                                                    + ": panel id "
                                                    + panel.path("id")
                                                    + " twice"));
        }
    }

    /** What the e2e checks rely on: every query's metric names and macros can be followed. */
    @Test
    void everyQueryIsOneTheEndToEndCheckCanFollow() {
        for (Monitoring.PromQuery query : Monitoring.promQueries()) {
            Set<String> names = Monitoring.metricNames(query.expr());
            assertFalse(names.isEmpty(), query.where() + ": no metric found in " + query.expr());
            for (String name : names) {
                assertTrue(
                        name.startsWith("flink_")
                                || Monitoring.PROMETHEUS_OWN_METRICS.contains(name),
                        query.where()
                                + ": '"
                                + name
                                + "' is neither a Flink metric nor one of Prometheus' own: "
                                + query.expr());
            }
        }
        Instant now = Instant.now();
        for (Monitoring.SqlQuery query : Monitoring.sqlQueries()) {
            Monitoring.expandMacros(query.sql(), now.minusSeconds(3600), now);
            assertTrue(
                    Set.of("time_series", "table").contains(query.format()),
                    query.where() + ": format " + query.format());
            assertFalse(
                    Monitoring.relations(query.sql()).isEmpty(),
                    query.where() + ": reads no table");
        }
    }

    @Test
    void theMetricNameReaderFindsWhatPrometheusWouldRead() {
        assertEquals(
                Set.of("flink_a", "flink_b"),
                Monitoring.metricNames(
                        "sum by (job_name, task_name) (rate(flink_a{job_name=~\"$job\", quantile=\"0.99\"}[$__rate_interval]))"
                                + " / on (job_name) group_left max(flink_b offset 5m) > bool 0.05"));
        assertEquals(Set.of("flink_c"), Monitoring.metricNames("label_values(flink_c, job_name)"));
        assertEquals(Set.of("up"), Monitoring.metricNames("up{job=\"flink-jobmanager\"} == 0"));
    }

    private static void promtool(String... args) throws IOException, InterruptedException {
        String promtool = System.getenv().getOrDefault("PROMTOOL", "promtool");
        List<String> command = new ArrayList<>(List.of(promtool));
        command.addAll(List.of(args));
        Process process;
        try {
            process =
                    new ProcessBuilder(command)
                            .directory(Monitoring.DIR.resolve("prometheus").toFile())
                            .redirectErrorStream(true)
                            .start();
        } catch (IOException notInstalled) {
            fail(
                    "promtool not found ("
                            + notInstalled.getMessage()
                            + "): install Debian's prometheus package "
                            + "(apt-get install prometheus), as .ci/run does, or set PROMTOOL");
            return;
        }
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("promtool " + String.join(" ", args) + " did not finish");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "promtool " + String.join(" ", args) + ":\n" + output);
    }
}
