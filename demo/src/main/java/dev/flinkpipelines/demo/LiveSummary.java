package dev.flinkpipelines.demo;

import dev.flinkpipelines.generator.TrafficSource.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.text.NumberFormat;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/** Compact lines about the tables, one per job, read straight from PostgreSQL. */
final class LiveSummary {

    private static final NumberFormat NUMBERS = NumberFormat.getIntegerInstance(Locale.US);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Map<String, Long> previous = new HashMap<>();

    String lines(Connection c, Map<String, String> jobStatus, long sent) throws SQLException {
        String time = LocalTime.now(ZoneOffset.UTC).format(CLOCK) + " UTC";
        String pad = " ".repeat(time.length());
        return time
                + " | sent "
                + NUMBERS.format(sent)
                + "\n"
                + pad
                + " | user-events "
                + jobStatus.get("user-events")
                + " | user_events "
                + countWithDelta(c, "user_events")
                + " | movie_activity_1m "
                + NUMBERS.format(count(c, "movie_activity_1m"))
                + " | dead letters "
                + deadLetters(c, "user-events")
                + " | "
                + latestMinute(c)
                + "\n"
                + pad
                + " | orders "
                + jobStatus.get("orders")
                + " | events_clean "
                + countWithDelta(c, "events_clean")
                + " | invalid_events "
                + deadLetters(c, "orders")
                + " | "
                + paymentOutcomes(c)
                + "\n"
                + pad
                + " | kpi "
                + jobStatus.get("kpi")
                + " | kpi_1m "
                + NUMBERS.format(count(c, "kpi_1m"))
                + " | late_events "
                + NUMBERS.format(count(c, "late_events"))
                + " | "
                + latestKpis(c)
                + "\n"
                + pad
                + " | drink-shop "
                + jobStatus.get("drink-shop")
                + " | order_items_enriched "
                + countWithDelta(c, "order_items_enriched")
                + " | flagged "
                + NUMBERS.format(flaggedLines(c))
                + " | stock alerts "
                + NUMBERS.format(count(c, "inventory_alerts"))
                + " | "
                + topItems(c)
                + "\n"
                + pad
                + " | video-views "
                + jobStatus.get("video-views")
                + " | view_ledger "
                + countWithDelta(c, "view_ledger")
                + " "
                + ledgerReasons(c)
                + " | "
                + topVideosThisHour(c);
    }

    private static String ledgerReasons(Connection c) throws SQLException {
        StringJoiner out = new StringJoiner(", ", "[", "]");
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT coalesce(reason, 'counted'), count(*) FROM view_ledger GROUP BY 1 ORDER BY 2 DESC")) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + NUMBERS.format(rs.getLong(2)));
            }
        }
        return out.toString();
    }

    /** Top videos by counted views in the current event-time hour. */
    private static String topVideosThisHour(Connection c) throws SQLException {
        StringJoiner out =
                new StringJoiner(", ", "top this hour: ", "")
                        .setEmptyValue("no counted views this hour yet");
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT video_id, total_views, revenue_views FROM video_views_1h WHERE window_start = date_trunc('hour', now())"
                                        + " ORDER BY total_views DESC, video_id LIMIT 3")) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getLong(2) + " (" + rs.getLong(3) + " paid)");
            }
        }
        return out.toString();
    }

    private static long flaggedLines(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT count(*) FROM order_items_enriched"
                                        + " WHERE menu_status <> 'ok' OR price_mismatch OR order_total_mismatch")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Top items of the last 5 minutes (the v_top_items_5m view). */
    private static String topItems(Connection c) throws SQLException {
        StringJoiner out =
                new StringJoiner(", ", "top 5 min: ", "").setEmptyValue("no minute closed yet");
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT name, menu_id, qty FROM v_top_items_5m LIMIT 3")) {
            while (rs.next()) {
                out.add(
                        (rs.getString(1) == null ? rs.getString(2) : rs.getString(1))
                                + " "
                                + rs.getLong(3));
            }
        }
        return out.toString();
    }

    /** The newest kpi_1m row of each currency. */
    private static String latestKpis(Connection c) throws SQLException {
        StringJoiner out = new StringJoiner("; ").setEmptyValue("no minute closed yet");
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT DISTINCT ON (currency) currency, to_char(window_start AT TIME ZONE 'UTC', 'HH24:MI'), revenue,"
                                        + " payment_success, success_rate, avg_order_value FROM kpi_1m ORDER BY currency, window_start DESC")) {
            while (rs.next()) {
                out.add(
                        rs.getString(1)
                                + " "
                                + rs.getString(2)
                                + ": revenue "
                                + rs.getBigDecimal(3).toPlainString()
                                + ", "
                                + rs.getLong(4)
                                + " paid, success "
                                + (rs.getBigDecimal(5) == null ? "-" : rs.getBigDecimal(5) + "%")
                                + ", avg "
                                + (rs.getBigDecimal(6) == null
                                        ? "-"
                                        : rs.getBigDecimal(6).toPlainString()));
            }
        }
        return out.toString();
    }

    private String countWithDelta(Connection c, String table) throws SQLException {
        long now = count(c, table);
        Long before = previous.put(table, now);
        return NUMBERS.format(now)
                + (before == null ? "" : " (+" + NUMBERS.format(now - before) + ")");
    }

    /**
     * After the jobs stopped, every record the generator sent is accounted for exactly once:
     * user-events stores every valid record (a duplicate is a separate Kafka record there), orders
     * drops the copies of an event id; every invalid record is one dead letter.
     */
    static String finalCheck(
            Connection c, Map<Kind, Long> userEventsSent, Map<Kind, Long> ordersSent)
            throws SQLException {
        long ueTotal = userEventsSent.values().stream().mapToLong(Long::longValue).sum();
        long ueInvalid = userEventsSent.get(Kind.INVALID);
        long ueRows = count(c, "user_events");
        long ueDead = deadLetterCount(c, "user-events");
        long ordTotal = ordersSent.values().stream().mapToLong(Long::longValue).sum();
        long ordInvalid = ordersSent.get(Kind.INVALID);
        long ordDuplicates = ordersSent.get(Kind.DUPLICATE);
        long ordRows = count(c, "events_clean");
        long ordDead = deadLetterCount(c, "orders");
        boolean exact =
                ueRows == ueTotal - ueInvalid
                        && ueDead == ueInvalid
                        && ordRows == ordTotal - ordInvalid - ordDuplicates
                        && ordDead == ordInvalid;
        return "==> final check: user-events sent "
                + NUMBERS.format(ueTotal)
                + " ("
                + ueInvalid
                + " invalid) -> user_events "
                + NUMBERS.format(ueRows)
                + ", dead letters "
                + ueDead
                + "; events_raw sent "
                + NUMBERS.format(ordTotal)
                + " ("
                + ordInvalid
                + " invalid, "
                + ordDuplicates
                + " duplicates) -> events_clean "
                + NUMBERS.format(ordRows)
                + ", invalid_events "
                + ordDead
                + (exact ? " -- every record exactly once" : " -- MISMATCH: see demo.log");
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long deadLetterCount(Connection c, String job) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT count(*) FROM dead_letters WHERE job_name = ?")) {
            s.setString(1, job);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String deadLetters(Connection c, String job) throws SQLException {
        StringJoiner codes = new StringJoiner(", ", " [", "]").setEmptyValue("");
        try (PreparedStatement s =
                c.prepareStatement(
                        "SELECT error_code, count(*) FROM dead_letters WHERE job_name = ? GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3")) {
            s.setString(1, job);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    codes.add(rs.getString(1) + " " + rs.getLong(2));
                }
            }
        }
        return NUMBERS.format(deadLetterCount(c, job)) + codes;
    }

    /** The newest closed minute: events in it and its most active movie. */
    private static String latestMinute(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "WITH latest AS (SELECT max(window_start) AS w FROM movie_activity_1m),"
                                        + " per_movie AS (SELECT movie_id, sum(event_count) AS n FROM movie_activity_1m, latest"
                                        + "   WHERE window_start = latest.w GROUP BY movie_id)"
                                        + " SELECT to_char((SELECT w FROM latest) AT TIME ZONE 'UTC', 'HH24:MI'),"
                                        + "   (SELECT sum(n) FROM per_movie),"
                                        + "   (SELECT movie_id FROM per_movie ORDER BY n DESC, movie_id LIMIT 1),"
                                        + "   (SELECT max(n) FROM per_movie)")) {
            rs.next();
            if (rs.getString(1) == null) {
                return "no minute closed yet (windows close ~1 min after they start)";
            }
            return "minute "
                    + rs.getString(1)
                    + ": "
                    + NUMBERS.format(rs.getLong(2))
                    + " events, top movie #"
                    + rs.getInt(3)
                    + " ("
                    + rs.getLong(4)
                    + ")";
        }
    }

    /** Payment outcomes so far, per currency (never summed across currencies). */
    private static String paymentOutcomes(Connection c) throws SQLException {
        StringJoiner out = new StringJoiner(", ", "paid: ", "").setEmptyValue("no payments yet");
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT currency, count(*), sum(amount) FROM events_clean WHERE event_type = 'payment_success'"
                                        + " GROUP BY currency ORDER BY currency")) {
            while (rs.next()) {
                out.add(
                        NUMBERS.format(rs.getLong(2))
                                + " payments, "
                                + rs.getBigDecimal(3).toPlainString()
                                + " "
                                + rs.getString(1));
            }
        }
        return out.toString();
    }
}
