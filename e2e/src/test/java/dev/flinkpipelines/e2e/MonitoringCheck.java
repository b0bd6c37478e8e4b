package dev.flinkpipelines.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.e2e.Monitoring.SqlQuery;
import dev.flinkpipelines.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Keeps the dashboards and alerts true to what really exists (issue 16): every metric name a PromQL
 * query or alert rule reads is exported by a real session cluster running the jobs, and every SQL
 * query of every panel runs, as Grafana's read-only database user, against the tables the real jobs
 * wrote, returning the columns its panel uses and rows wherever its tables hold any.
 */
final class MonitoringCheck {

    /**
     * Grafana's login role in the test: a read-only member of the schema's flink_pipelines_reader
     * (V9).
     */
    static final String READER = "grafana_e2e";

    private MonitoringCheck() {}

    /** {@code exported}: the metric names every Prometheus endpoint of the cluster served. */
    static void assertEveryMetricIsExported(Set<String> exported) {
        Map<String, Set<String>> missing = new TreeMap<>();
        List<Monitoring.PromQuery> queries = Monitoring.promQueries();
        for (Monitoring.PromQuery query : queries) {
            for (String name : Monitoring.metricNames(query.expr())) {
                if (!exported.contains(name) && !Monitoring.PROMETHEUS_OWN_METRICS.contains(name)) {
                    missing.computeIfAbsent(name, n -> new TreeSet<>()).add(query.where());
                }
            }
        }
        assertEquals(
                Map.of(),
                missing,
                "metrics the dashboards and alert rules read that the cluster does not export"
                        + " (name -> where it is read); the cluster exports "
                        + exported.size()
                        + " names");
        System.out.println(
                "monitoring: every metric of "
                        + queries.size()
                        + " PromQL queries and alert rules is among the "
                        + exported.size()
                        + " names the cluster exports");
    }

    /**
     * Runs every panel's SQL for two dashboard time ranges: one around the jobs' event times (the
     * windowed tables) and one around the test's wall-clock time (dead letters, stamped when seen).
     */
    static void assertEveryPanelQueryAnswers(
            PostgresExtension pg, Instant eventTimeFrom, Instant eventTimeTo, Instant wallClockFrom)
            throws SQLException {
        // the video-views payouts join payout_rates, which people maintain: rates for the test's
        // videos
        pg.execute(
                "INSERT INTO payout_rates (video_id, rate_per_view) SELECT DISTINCT video_id, 0.002 FROM video_views_1h"
                        + " ON CONFLICT (video_id) DO NOTHING");
        pg.execute(
                "DROP ROLE IF EXISTS " + READER,
                "CREATE ROLE " + READER + " LOGIN",
                "GRANT flink_pipelines_reader TO " + READER,
                "ALTER ROLE " + READER + " SET default_transaction_read_only = on");

        Set<String> failures = new LinkedHashSet<>();
        Map<String, Integer> rowsByPanel = new TreeMap<>();
        try (Connection reader = DriverManager.getConnection(pg.jdbcUrl(), READER, "");
                Statement statement = reader.createStatement()) {
            assertReadOnly(statement);
            List<Instant[]> ranges =
                    List.of(
                            new Instant[] {eventTimeFrom, eventTimeTo},
                            new Instant[] {wallClockFrom, Instant.now().plusSeconds(60)});
            for (SqlQuery query : Monitoring.sqlQueries()) {
                int rows = 0;
                for (Instant[] range : ranges) {
                    String sql = Monitoring.expandMacros(query.sql(), range[0], range[1]);
                    try (ResultSet rs = statement.executeQuery(sql)) {
                        String wrongColumns = wrongColumns(query, rs.getMetaData());
                        if (wrongColumns != null) {
                            failures.add(query.where() + ": " + wrongColumns);
                        }
                        while (rs.next()) {
                            rows++;
                        }
                    } catch (SQLException e) {
                        failures.add(
                                query.where()
                                        + ": "
                                        + e.getMessage().lines().findFirst().orElse("")
                                        + "\n    "
                                        + sql);
                    }
                }
                rowsByPanel.put(query.where(), rows);
                if (rows == 0) {
                    Set<String> filled =
                            filledRelations(statement, Monitoring.relations(query.sql()));
                    if (!filled.isEmpty()) {
                        failures.add(
                                query.where()
                                        + ": no rows in either range although "
                                        + filled
                                        + " hold rows: its filter or join is wrong");
                    }
                }
            }
        }
        assertEquals(
                Set.of(),
                failures,
                "panel queries that Grafana would fail on or show empty; rows per panel: "
                        + rowsByPanel);
        // an empty database would let every query pass with no rows: most panels must show the
        // jobs' rows
        assertTrue(
                rowsByPanel.values().stream().filter(n -> n > 0).count() >= rowsByPanel.size() / 2,
                "most panels show the real jobs' rows: " + rowsByPanel);
        System.out.println(
                "monitoring: "
                        + rowsByPanel.size()
                        + " panel queries answered as "
                        + READER
                        + "; rows per panel "
                        + rowsByPanel);
    }

    /** The reader cannot write, not even into a table it may read. */
    private static void assertReadOnly(Statement reader) {
        try {
            reader.executeUpdate("DELETE FROM payout_rates");
            throw new AssertionError(READER + " could delete from payout_rates");
        } catch (SQLException refused) {
            // 25006: read-only transaction (the role's default); 42501: no privilege
            assertTrue(
                    Set.of("25006", "42501").contains(refused.getSQLState()),
                    refused.getSQLState() + " " + refused.getMessage());
        }
    }

    /** Null when the result has the columns the panel uses; else what is wrong. */
    private static String wrongColumns(SqlQuery query, ResultSetMetaData meta) throws SQLException {
        Set<String> columns = new LinkedHashSet<>();
        List<String> notNumeric = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            String name = meta.getColumnLabel(i);
            columns.add(name);
            if (query.format().equals("time_series")
                    && !name.equals("time")
                    && !name.equals("metric")
                    && !numeric(meta.getColumnType(i))) {
                notNumeric.add(name + " (" + meta.getColumnTypeName(i) + ")");
            }
        }
        List<String> problems = new ArrayList<>();
        if (query.format().equals("time_series") && !columns.contains("time")) {
            problems.add("a time series needs a column named time");
        }
        if (!notNumeric.isEmpty()) {
            problems.add("a time series' value columns must be numbers: " + notNumeric);
        }
        Set<String> named = new TreeSet<>(Monitoring.columnsNamedByOverrides(query.panel()));
        named.removeAll(columns);
        if (!named.isEmpty()) {
            problems.add("the panel's overrides name columns the query does not return: " + named);
        }
        return problems.isEmpty()
                ? null
                : String.join("; ", problems) + " (columns " + columns + ")";
    }

    private static boolean numeric(int sqlType) {
        return switch (sqlType) {
            case Types.SMALLINT,
                    Types.INTEGER,
                    Types.BIGINT,
                    Types.NUMERIC,
                    Types.DECIMAL,
                    Types.REAL,
                    Types.FLOAT,
                    Types.DOUBLE ->
                    true;
            default -> false;
        };
    }

    /**
     * Of {@code names}, the tables and views that exist and hold at least one row (CTE names do not
     * exist).
     */
    private static Set<String> filledRelations(Statement statement, Set<String> names)
            throws SQLException {
        Set<String> filled = new TreeSet<>();
        for (String name : names) {
            boolean exists;
            try (ResultSet rs =
                    statement.executeQuery("SELECT to_regclass('" + name + "') IS NOT NULL")) {
                rs.next();
                exists = rs.getBoolean(1);
            }
            if (exists) {
                try (ResultSet rs =
                        statement.executeQuery("SELECT EXISTS (SELECT 1 FROM " + name + ")")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        filled.add(name);
                    }
                }
            }
        }
        return filled;
    }
}
