package dev.flinkpipelines.jobs.videoviews;

import dev.flinkpipelines.common.options.CommandLine;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.JobEnvironment;
import dev.flinkpipelines.common.options.UsageException;
import dev.flinkpipelines.common.postgres.PostgresConnectionSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares the streaming counts ({@code public.video_views_1h}) with the batch recomputation
 * ({@code reconcile.video_views_1h}) and checks the streaming ledger against its counts. Prints
 * every difference and exits 1 when there is any, 0 when none.
 *
 * <pre>flink run -c dev.flinkpipelines.jobs.videoviews.Reconcile video-views.jar --jdbc-url ...
 * </pre>
 */
public final class Reconcile {

    /** One disagreement: what was compared, where, and the two values (null = no row). */
    public record Difference(
            String check, String videoId, String hour, String stream, String other) {
        @Override
        public String toString() {
            return check
                    + ": video "
                    + videoId
                    + ", hour "
                    + hour
                    + ": stream "
                    + stream
                    + ", "
                    + other;
        }
    }

    private Reconcile() {}

    public static List<Difference> compare(Connection c) throws SQLException {
        List<Difference> differences = new ArrayList<>();
        query(
                c,
                differences,
                "stream vs batch",
                "SELECT coalesce(s.video_id, b.video_id), coalesce(s.window_start, b.window_start),"
                        + " s.total_views || '/' || s.revenue_views, 'batch ' || (b.total_views || '/' || b.revenue_views)"
                        + " FROM public.video_views_1h s FULL JOIN reconcile.video_views_1h b"
                        + " ON s.video_id = b.video_id AND s.window_start = b.window_start"
                        + " WHERE (s.total_views, s.revenue_views) IS DISTINCT FROM (b.total_views, b.revenue_views)");
        query(
                c,
                differences,
                "ledger vs counts",
                "SELECT coalesce(h.video_id, l.video_id), coalesce(h.window_start, l.window_start),"
                        + " h.total_views || '/' || h.revenue_views, 'ledger ' || (l.total || '/' || l.revenue)"
                        + " FROM public.video_views_1h h FULL JOIN (SELECT video_id, window_start, count(*) AS total,"
                        + "   count(*) FILTER (WHERE revenue_eligible) AS revenue FROM public.view_ledger WHERE counted"
                        + "   GROUP BY 1, 2) l ON h.video_id = l.video_id AND h.window_start = l.window_start"
                        + " WHERE (h.total_views, h.revenue_views) IS DISTINCT FROM (l.total, l.revenue)");
        return differences;
    }

    private static void query(Connection c, List<Difference> out, String check, String sql)
            throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(
                        new Difference(
                                check,
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4)));
            }
        }
    }

    public static void main(String[] argv) {
        CommandLine cli =
                new CommandLine(
                                "flink run -c " + Reconcile.class.getName() + " <video-views jar>",
                                "Compares public.video_views_1h (streaming) with reconcile.video_views_1h (the --bounded run) and the"
                                        + " ledger with the counts; prints every difference; exit 1 when there is any.")
                        .add(
                                CommonFlags.JDBC_URL,
                                CommonFlags.JDBC_USER,
                                CommonFlags.JDBC_PASSWORD_FILE,
                                CommonFlags.JDBC_PASSWORD);
        try {
            ParsedArgs args = cli.parse(argv);
            if (args.helpRequested()) {
                System.out.print(cli.usage());
                System.exit(0);
            }
            PostgresConnectionSettings pg = JobEnvironment.postgres(args);
            try (Connection c = pg.open("reconcile")) {
                List<Difference> differences = compare(c);
                differences.forEach(System.out::println);
                System.out.println(
                        differences.isEmpty()
                                ? "reconcile: no differences"
                                : "reconcile: " + differences.size() + " differences");
                System.exit(differences.isEmpty() ? 0 : 1);
            }
        } catch (UsageException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        } catch (SQLException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }
}
