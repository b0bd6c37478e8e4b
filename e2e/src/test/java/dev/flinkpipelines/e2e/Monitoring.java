package dev.flinkpipelines.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The monitoring files of the repository (monitoring/: Prometheus' alert rules, Grafana's
 * dashboards) read the way Prometheus and Grafana read them: every panel, every query, every metric
 * name. Shared by {@link MonitoringFilesTest} (the files alone) and {@link SessionClusterE2EIT}
 * (the queries against a real cluster's metrics and a database holding the real jobs' rows).
 */
final class Monitoring {

    static final Path DIR = DeploymentFilesTest.ROOT.resolve("monitoring");
    static final Path RULES = DIR.resolve("prometheus/alerts.yml");
    static final Path DASHBOARDS = DIR.resolve("grafana/dashboards");
    static final Path DATASOURCES = DIR.resolve("grafana/provisioning/datasources/datasources.yml");

    /** Series Prometheus makes itself, not scraped from Flink. */
    static final Set<String> PROMETHEUS_OWN_METRICS = Set.of("up", "ALERTS");

    private static final ObjectMapper JSON = new ObjectMapper();

    private Monitoring() {}

    /** One dashboard file, parsed. */
    record Dashboard(String file, JsonNode json) {
        String title() {
            return json.path("title").asText();
        }
    }

    /** A panel (never a row) of a dashboard. */
    record Panel(Dashboard dashboard, JsonNode json) {
        String title() {
            return json.path("title").asText();
        }

        String where() {
            return dashboard.title() + " / " + title();
        }

        List<JsonNode> targets() {
            List<JsonNode> targets = new ArrayList<>();
            json.path("targets").forEach(targets::add);
            return targets;
        }
    }

    /** A panel's SQL query, as the PostgreSQL datasource runs it (after macro expansion). */
    record SqlQuery(Panel panel, String refId, String format, String sql) {
        String where() {
            return panel.where() + " [" + refId + "]";
        }
    }

    /** A PromQL expression and where it is used. */
    record PromQuery(String where, String expr) {}

    static List<Dashboard> dashboards() {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            List<Dashboard> dashboards = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                dashboards.add(
                        new Dashboard(file.getFileName().toString(), JSON.readTree(file.toFile())));
            }
            return dashboards;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every panel of every dashboard, including those inside collapsed rows; rows themselves left
     * out.
     */
    static List<Panel> panels() {
        List<Panel> panels = new ArrayList<>();
        for (Dashboard dashboard : dashboards()) {
            for (JsonNode panel : dashboard.json().path("panels")) {
                if (panel.path("type").asText().equals("row")) {
                    panel.path("panels").forEach(inner -> panels.add(new Panel(dashboard, inner)));
                } else {
                    panels.add(new Panel(dashboard, panel));
                }
            }
        }
        return panels;
    }

    /** The datasource uid a target (or, failing that, its panel) uses. */
    static String datasourceUid(Panel panel, JsonNode target) {
        String uid = target.path("datasource").path("uid").asText("");
        return uid.isEmpty() ? panel.json().path("datasource").path("uid").asText("") : uid;
    }

    static String datasourceType(Panel panel, JsonNode target) {
        String type = target.path("datasource").path("type").asText("");
        return type.isEmpty() ? panel.json().path("datasource").path("type").asText("") : type;
    }

    static List<SqlQuery> sqlQueries() {
        List<SqlQuery> queries = new ArrayList<>();
        for (Panel panel : panels()) {
            for (JsonNode target : panel.targets()) {
                if (target.has("rawSql")) {
                    queries.add(
                            new SqlQuery(
                                    panel,
                                    target.path("refId").asText(),
                                    target.path("format").asText("time_series"),
                                    target.path("rawSql").asText()));
                }
            }
        }
        return queries;
    }

    /** Every PromQL expression: dashboard targets and variables, and every alert rule. */
    static List<PromQuery> promQueries() {
        List<PromQuery> queries = new ArrayList<>();
        for (Panel panel : panels()) {
            for (JsonNode target : panel.targets()) {
                if (target.has("expr")) {
                    queries.add(
                            new PromQuery(
                                    panel.where() + " [" + target.path("refId").asText() + "]",
                                    target.path("expr").asText()));
                }
            }
        }
        for (Dashboard dashboard : dashboards()) {
            for (JsonNode variable : dashboard.json().path("templating").path("list")) {
                String query =
                        variable.path("query").isObject()
                                ? variable.path("query").path("query").asText()
                                : variable.path("query").asText();
                if (variable.path("datasource").path("type").asText().equals("prometheus")) {
                    queries.add(
                            new PromQuery(
                                    dashboard.title()
                                            + " / variable "
                                            + variable.path("name").asText(),
                                    query));
                }
            }
        }
        for (JsonNode rule : alertRules()) {
            queries.add(
                    new PromQuery(
                            "alert " + rule.path("alert").asText(), rule.path("expr").asText()));
        }
        return queries;
    }

    static List<JsonNode> alertRules() {
        try {
            List<JsonNode> rules = new ArrayList<>();
            new YAMLMapper()
                    .readTree(RULES.toFile())
                    .path("groups")
                    .forEach(group -> group.path("rules").forEach(rules::add));
            return rules;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Pattern STRING =
            Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern LABEL_LIST =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern LABEL_VALUES =
            Pattern.compile("\\blabel_values\\s*\\(\\s*([^,)]+)(?:,[^)]*)?\\)");
    private static final Pattern IDENTIFIER =
            Pattern.compile("(?<![\\w.$])([A-Za-z_:][A-Za-z0-9_:]*)\\b(?!\\s*\\()");
    private static final Set<String> KEYWORDS =
            Set.of(
                    "and",
                    "or",
                    "unless",
                    "bool",
                    "offset",
                    "by",
                    "without",
                    "on",
                    "ignoring",
                    "group_left",
                    "group_right",
                    "inf",
                    "nan");

    /**
     * The metric names a PromQL expression (or a Grafana {@code label_values(metric, label)})
     * reads.
     */
    static Set<String> metricNames(String expr) {
        String stripped = LABEL_VALUES.matcher(expr).replaceAll(" $1 ");
        stripped = STRING.matcher(stripped).replaceAll(" ");
        stripped = LABEL_MATCHERS.matcher(stripped).replaceAll(" ");
        stripped = RANGE.matcher(stripped).replaceAll(" ");
        stripped = LABEL_LIST.matcher(stripped).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(stripped);
        while (m.find()) {
            if (!KEYWORDS.contains(m.group(1).toLowerCase())) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** Metric names in Prometheus' text exposition format (a scrape body). */
    static Set<String> exposedMetricNames(String scrapeBody) {
        Set<String> names = new TreeSet<>();
        for (String line : scrapeBody.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    private static final Pattern TIME_FILTER = Pattern.compile("\\$__timeFilter\\(([^()]+)\\)");
    private static final Pattern TIME_GROUP_ALIAS =
            Pattern.compile("\\$__timeGroupAlias\\(([^,()]+),\\s*'(\\d+)([smhd])'\\)");

    /**
     * The SQL Grafana's PostgreSQL datasource sends for a dashboard time range [from, to]: its
     * macros expanded as Grafana expands them. A macro or variable this does not know fails the
     * test rather than reaching PostgreSQL as text.
     */
    static String expandMacros(String sql, Instant from, Instant to) {
        String fromLiteral = "'" + from.truncatedTo(ChronoUnit.SECONDS) + "'";
        String toLiteral = "'" + to.truncatedTo(ChronoUnit.SECONDS) + "'";
        String expanded =
                TIME_FILTER
                        .matcher(sql)
                        .replaceAll(
                                m ->
                                        Matcher.quoteReplacement(
                                                m.group(1)
                                                        + " BETWEEN "
                                                        + fromLiteral
                                                        + " AND "
                                                        + toLiteral));
        expanded =
                TIME_GROUP_ALIAS
                        .matcher(expanded)
                        .replaceAll(
                                m -> {
                                    long seconds =
                                            Long.parseLong(m.group(2))
                                                    * switch (m.group(3)) {
                                                        case "s" -> 1;
                                                        case "m" -> 60;
                                                        case "h" -> 3600;
                                                        default -> 86400;
                                                    };
                                    return Matcher.quoteReplacement(
                                            "floor(extract(epoch from "
                                                    + m.group(1)
                                                    + ")/"
                                                    + seconds
                                                    + ")*"
                                                    + seconds
                                                    + " AS \"time\"");
                                });
        expanded = expanded.replace("$__timeFrom()", fromLiteral).replace("$__timeTo()", toLiteral);
        if (expanded.contains("$")) {
            throw new AssertionError(
                    "a Grafana macro or variable the test does not expand: " + expanded);
        }
        return expanded;
    }

    private static final Pattern RELATION =
            Pattern.compile("(?i)\\b(?:FROM|JOIN)\\s+([a-z_][a-z0-9_.]*)");

    /**
     * The tables and views a query names after FROM or JOIN (CTE names included; the caller filters
     * them).
     */
    static Set<String> relations(String sql) {
        Set<String> relations = new TreeSet<>();
        Matcher m = RELATION.matcher(sql);
        while (m.find()) {
            relations.add(m.group(1).toLowerCase());
        }
        return relations;
    }

    /** Column names a panel's field overrides refer to by name. */
    static Set<String> columnsNamedByOverrides(Panel panel) {
        Set<String> names = new TreeSet<>();
        for (JsonNode override : panel.json().path("fieldConfig").path("overrides")) {
            if (override.path("matcher").path("id").asText().equals("byName")) {
                names.add(override.path("matcher").path("options").asText());
            }
        }
        return names;
    }
}
