package dev.flinkpipelines.demo;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.text.NumberFormat;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.StringJoiner;

/** One compact line about the tables, read straight from PostgreSQL. */
final class LiveSummary {

    private static final NumberFormat NUMBERS = NumberFormat.getIntegerInstance(Locale.US);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private long previousUserEvents = -1;

    String line(Connection c, String jobStatus, long sent) throws SQLException {
        long userEvents = count(c, "user_events");
        long activity = count(c, "movie_activity_1m");
        long deadLetters = count(c, "dead_letters");
        String delta = previousUserEvents < 0 ? "" : " (+" + NUMBERS.format(userEvents - previousUserEvents) + ")";
        previousUserEvents = userEvents;
        return LocalTime.now(ZoneOffset.UTC).format(CLOCK) + " UTC"
                + " | sent " + NUMBERS.format(sent)
                + " | user-events " + jobStatus
                + " | user_events " + NUMBERS.format(userEvents) + delta
                + " | movie_activity_1m " + NUMBERS.format(activity)
                + " | dead_letters " + NUMBERS.format(deadLetters) + deadLetterCodes(c)
                + " | " + latestMinute(c);
    }

    /**
     * After the job stopped: every record the generator sent is a user_events row (duplicates are
     * separate Kafka records, so separate rows) or a dead letter, exactly once.
     */
    static String finalCheck(Connection c, java.util.Map<dev.flinkpipelines.demo.generator.UserEventRecords.Kind, Long> sent)
            throws SQLException {
        long invalid = sent.get(dev.flinkpipelines.demo.generator.UserEventRecords.Kind.INVALID);
        long total = sent.values().stream().mapToLong(Long::longValue).sum();
        long rows = count(c, "user_events");
        long dead = count(c, "dead_letters");
        boolean exact = rows == total - invalid && dead == invalid;
        return "==> final check: sent " + NUMBERS.format(total) + " records (" + NUMBERS.format(invalid) + " invalid);"
                + " user_events holds " + NUMBERS.format(rows) + ", dead_letters " + NUMBERS.format(dead)
                + (exact ? " -- every record exactly once" : " -- MISMATCH: see demo.log");
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String deadLetterCodes(Connection c) throws SQLException {
        StringJoiner codes = new StringJoiner(", ", " [", "]").setEmptyValue("");
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT error_code, count(*) FROM dead_letters GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 4")) {
            while (rs.next()) {
                codes.add(rs.getString(1) + " " + rs.getLong(2));
            }
        }
        return codes.toString();
    }

    /** The newest closed minute: events in it and its most active movie. */
    private static String latestMinute(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "WITH latest AS (SELECT max(window_start) AS w FROM movie_activity_1m),"
                        + " per_movie AS (SELECT movie_id, sum(event_count) AS n FROM movie_activity_1m, latest"
                        + "   WHERE window_start = latest.w GROUP BY movie_id)"
                        + " SELECT to_char((SELECT w FROM latest) AT TIME ZONE 'UTC', 'HH24:MI'),"
                        + "   (SELECT sum(n) FROM per_movie),"
                        + "   (SELECT movie_id FROM per_movie ORDER BY n DESC, movie_id LIMIT 1),"
                        + "   (SELECT max(n) FROM per_movie)")) {
            rs.next();
            if (rs.getString(1) == null) {
                return "latest minute: none closed yet (windows close ~1 min after they start)";
            }
            return "minute " + rs.getString(1) + ": " + NUMBERS.format(rs.getLong(2)) + " events, top movie #"
                    + rs.getInt(3) + " (" + rs.getLong(4) + ")";
        }
    }
}
