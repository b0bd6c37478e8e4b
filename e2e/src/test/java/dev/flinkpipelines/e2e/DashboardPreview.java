package dev.flinkpipelines.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws the dashboards of monitoring/grafana/dashboards as PNG pictures for the README, where no
 * Grafana can run (this project's machines have no Docker engine, and Grafana is in none of the
 * package registries they reach). It is not Grafana: it lays out each dashboard's panels on the
 * same 24-column grid, runs each panel's own query — the SQL with Grafana's macros expanded (as
 * {@link MonitoringCheck} does), the PromQL against a real Prometheus — and draws the answer as a
 * plain line or bar chart, a table or a stat. Every picture says so in its footer.
 *
 * <pre>
 * DashboardPreview --jdbc-url URL --jdbc-user USER [--prometheus http://localhost:9090]
 *                  [--minutes 15] [--out docs/dashboards]
 * </pre>
 *
 * The database password comes from {@code PGPASSWORD}. The time range is the last {@code
 * --minutes}.
 */
public final class DashboardPreview {

    private static final int WIDTH = 1600;
    private static final int UNIT_HEIGHT = 30;
    private static final int HEADER = 48;
    private static final int FOOTER = 34;
    private static final Color[] PALETTE = {
        new Color(0x7eb26d),
        new Color(0xeab839),
        new Color(0x6ed0e0),
        new Color(0xef843c),
        new Color(0xe24d42),
        new Color(0x1f78c1),
        new Color(0xba43a9),
        new Color(0x705da0),
        new Color(0x508642),
        new Color(0xcca300)
    };
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection db;
    private final String prometheus;
    private final Instant from;
    private final Instant to;
    private final HttpClient http = HttpClient.newHttpClient();

    private DashboardPreview(Connection db, String prometheus, Instant from, Instant to) {
        this.db = db;
        this.prometheus = prometheus;
        this.from = from;
        this.to = to;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i], args[i + 1]);
        }
        if (!flags.containsKey("--jdbc-url") || !flags.containsKey("--jdbc-user")) {
            System.err.println(
                    "usage: DashboardPreview --jdbc-url URL --jdbc-user USER [--prometheus URL] [--minutes N] [--out DIR]");
            System.exit(2);
        }
        Instant to = Instant.now();
        Instant from =
                to.minus(Duration.ofMinutes(Long.parseLong(flags.getOrDefault("--minutes", "15"))));
        Path out = Path.of(flags.getOrDefault("--out", "docs/dashboards"));
        Files.createDirectories(out);
        try (Connection db =
                DriverManager.getConnection(
                        flags.get("--jdbc-url"),
                        flags.get("--jdbc-user"),
                        System.getenv().getOrDefault("PGPASSWORD", ""))) {
            DashboardPreview preview =
                    new DashboardPreview(db, flags.get("--prometheus"), from, to);
            for (Monitoring.Dashboard dashboard : Monitoring.dashboards()) {
                Path png = out.resolve(dashboard.file().replace(".json", ".png"));
                preview.draw(dashboard, png);
                System.out.println("wrote " + png);
            }
        }
    }

    // ---- data ----

    /** One line of a chart: x in epoch seconds. */
    private record Series(String name, List<double[]> points) {}

    /** A table's header and rows, as text. */
    private record Table(List<String> header, List<List<String>> rows) {}

    private List<Series> seriesOf(Monitoring.Panel panel) throws Exception {
        List<Series> all = new ArrayList<>();
        for (JsonNode target : panel.targets()) {
            if (target.has("rawSql")) {
                all.addAll(
                        sqlSeries(
                                Monitoring.expandMacros(target.path("rawSql").asText(), from, to)));
            } else if (prometheus != null) {
                all.addAll(
                        promSeries(
                                target.path("expr").asText(),
                                target.path("legendFormat").asText("")));
            }
        }
        return all;
    }

    private List<Series> sqlSeries(String sql) throws Exception {
        Map<String, Series> series = new LinkedHashMap<>();
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            int metricColumn = -1;
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                if (meta.getColumnLabel(i).equals("metric")) {
                    metricColumn = i;
                }
            }
            while (rs.next()) {
                Object time = rs.getObject("time");
                double x =
                        time instanceof Timestamp ts
                                ? ts.getTime() / 1000.0
                                : ((Number) time).doubleValue();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    String label = meta.getColumnLabel(i);
                    if (label.equals("time") || i == metricColumn || rs.getObject(i) == null) {
                        continue;
                    }
                    String name = metricColumn > 0 ? rs.getString(metricColumn) : label;
                    series.computeIfAbsent(name, n -> new Series(n, new ArrayList<>()))
                            .points()
                            .add(new double[] {x, rs.getDouble(i)});
                }
            }
        }
        return new ArrayList<>(series.values());
    }

    private String promExpr(String expr) {
        return expr.replace("$__rate_interval", "1m").replace("$job", ".*");
    }

    private List<Series> promSeries(String expr, String legend) throws Exception {
        long step = Math.max(15, Duration.between(from, to).toSeconds() / 200);
        JsonNode result =
                promQuery(
                        "/api/v1/query_range?query="
                                + URLEncoder.encode(promExpr(expr), StandardCharsets.UTF_8)
                                + "&start="
                                + from.getEpochSecond()
                                + "&end="
                                + to.getEpochSecond()
                                + "&step="
                                + step);
        List<Series> series = new ArrayList<>();
        for (JsonNode r : result) {
            List<double[]> points = new ArrayList<>();
            for (JsonNode value : r.path("values")) {
                double v = Double.parseDouble(value.get(1).asText());
                if (!Double.isNaN(v) && !Double.isInfinite(v)) {
                    points.add(new double[] {value.get(0).asDouble(), v});
                }
            }
            series.add(new Series(legend(legend, r.path("metric")), points));
        }
        return series;
    }

    private JsonNode promQuery(String path) throws Exception {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(prometheus + path)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (!body.path("status").asText().equals("success")) {
            throw new IllegalStateException("Prometheus: " + response.body());
        }
        return body.path("data").path("result");
    }

    private static String legend(String format, JsonNode labels) {
        String text = format;
        for (var it = labels.fields(); it.hasNext(); ) {
            var label = it.next();
            text = text.replace("{{" + label.getKey() + "}}", label.getValue().asText());
        }
        return text.isBlank() ? labels.toString() : text;
    }

    private Table tableOf(Monitoring.Panel panel) throws Exception {
        JsonNode target = panel.targets().get(0);
        if (target.has("rawSql")) {
            try (Statement s = db.createStatement();
                    ResultSet rs =
                            s.executeQuery(
                                    Monitoring.expandMacros(
                                            target.path("rawSql").asText(), from, to))) {
                ResultSetMetaData meta = rs.getMetaData();
                List<String> header = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    header.add(meta.getColumnLabel(i));
                }
                List<List<String>> rows = new ArrayList<>();
                while (rs.next() && rows.size() < 40) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        Object value = rs.getObject(i);
                        row.add(
                                value == null
                                        ? ""
                                        : value instanceof Timestamp ts
                                                ? STAMP.format(ts.toInstant())
                                                : meta.getColumnType(i) == Types.NUMERIC
                                                        ? rs.getBigDecimal(i)
                                                                .stripTrailingZeros()
                                                                .toPlainString()
                                                        : String.valueOf(value).replace('\n', ' '));
                    }
                    rows.add(row);
                }
                return new Table(header, rows);
            }
        }
        List<String> header = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        if (prometheus != null) {
            JsonNode result =
                    promQuery(
                            "/api/v1/query?query="
                                    + URLEncoder.encode(
                                            promExpr(target.path("expr").asText()),
                                            StandardCharsets.UTF_8)
                                    + "&time="
                                    + to.getEpochSecond());
            for (JsonNode r : result) {
                if (header.isEmpty()) {
                    r.path("metric").fieldNames().forEachRemaining(header::add);
                    header.add("value");
                }
                List<String> row = new ArrayList<>();
                for (String label : header.subList(0, header.size() - 1)) {
                    row.add(r.path("metric").path(label).asText());
                }
                row.add(r.path("value").get(1).asText());
                rows.add(row);
            }
        }
        return new Table(header.isEmpty() ? List.of("(no data)") : header, rows);
    }

    // ---- drawing ----

    private void draw(Monitoring.Dashboard dashboard, Path png) throws Exception {
        int gridBottom = 0;
        for (JsonNode panel : dashboard.json().path("panels")) {
            JsonNode pos = panel.path("gridPos");
            gridBottom = Math.max(gridBottom, pos.path("y").asInt() + pos.path("h").asInt());
        }
        int height = HEADER + gridBottom * UNIT_HEIGHT + FOOTER;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(0x111217));
        g.fillRect(0, 0, WIDTH, height);
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
        g.drawString("flink-pipelines / " + dashboard.title(), 16, 31);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setColor(new Color(0xccccdc));
        String range = STAMP.format(from) + " to " + STAMP.format(to) + " UTC";
        g.drawString(range, WIDTH - 16 - g.getFontMetrics().stringWidth(range), 31);

        for (JsonNode json : dashboard.json().path("panels")) {
            JsonNode pos = json.path("gridPos");
            int x = pos.path("x").asInt() * WIDTH / 24 + 4;
            int y = HEADER + pos.path("y").asInt() * UNIT_HEIGHT + 4;
            int w = pos.path("w").asInt() * WIDTH / 24 - 8;
            int h = pos.path("h").asInt() * UNIT_HEIGHT - 8;
            if (json.path("type").asText().equals("row")) {
                g.setColor(new Color(0xccccdc));
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
                g.drawString(json.path("title").asText(), x + 4, y + 17);
                continue;
            }
            Monitoring.Panel panel = new Monitoring.Panel(dashboard, json);
            g.setColor(new Color(0x181b1f));
            g.fillRect(x, y, w, h);
            g.setColor(new Color(0x2c3235));
            g.drawRect(x, y, w, h);
            g.setColor(new Color(0xccccdc));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.drawString(panel.title(), x + 8, y + 18);
            String unit = json.path("fieldConfig").path("defaults").path("unit").asText("");
            try {
                switch (json.path("type").asText()) {
                    case "timeseries" ->
                            chart(
                                    g,
                                    seriesOf(panel),
                                    unit,
                                    json.path("fieldConfig")
                                            .path("defaults")
                                            .path("custom")
                                            .path("drawStyle")
                                            .asText()
                                            .equals("bars"),
                                    x + 8,
                                    y + 28,
                                    w - 16,
                                    h - 36);
                    case "table" -> table(g, tableOf(panel), x + 8, y + 28, w - 16, h - 36);
                    case "stat" -> stat(g, seriesOf(panel), json, x + 8, y + 28, w - 16, h - 36);
                    default -> text(g, "(" + json.path("type").asText() + " panel)", x + 8, y + 40);
                }
            } catch (Exception e) {
                g.setColor(new Color(0xe24d42));
                text(g, "query failed: " + e.getMessage(), x + 8, y + 44);
            }
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 12));
        g.setColor(new Color(0x9fa7b3));
        g.drawString(
                "Not a Grafana screenshot: e2e/DashboardPreview drew monitoring/grafana/dashboards/"
                        + dashboard.file()
                        + " panel by panel, each with its own query run against the demo's PostgreSQL"
                        + (prometheus != null
                                ? " and a real Prometheus scraping the demo's Flink"
                                : "")
                        + ".",
                16,
                height - 12);
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }

    private void chart(
            Graphics2D g,
            List<Series> series,
            String unit,
            boolean bars,
            int x,
            int y,
            int w,
            int h) {
        int legendRows = Math.min(3, (series.size() + 3) / 4);
        int plotH = h - 18 - legendRows * 15;
        int plotX = x + 64;
        int plotW = w - 64;
        double fromS = from.getEpochSecond();
        double toS = to.getEpochSecond();
        double max = 0;
        double min = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                max = Math.max(max, p[1]);
                min = Math.min(min, p[1]);
            }
        }
        if (max == min) {
            max = min + 1;
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 4; i++) {
            double v = min + (max - min) * i / 4;
            int gy = y + plotH - (int) ((v - min) / (max - min) * plotH);
            g.setColor(new Color(0x2c3235));
            g.drawLine(plotX, gy, plotX + plotW, gy);
            g.setColor(new Color(0x9fa7b3));
            String label = format(v, unit);
            g.drawString(label, plotX - 6 - g.getFontMetrics().stringWidth(label), gy + 4);
        }
        for (int i = 0; i <= 4; i++) {
            double t = fromS + (toS - fromS) * i / 4;
            String label = CLOCK.format(Instant.ofEpochSecond((long) t));
            int lx =
                    plotX
                            + (int) ((t - fromS) / (toS - fromS) * plotW)
                            - g.getFontMetrics().stringWidth(label) / 2;
            g.drawString(label, Math.min(lx, plotX + plotW - 30), y + plotH + 14);
        }
        if (series.isEmpty()) {
            text(g, "No data", plotX + plotW / 2 - 20, y + plotH / 2);
        }
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            g.setColor(PALETTE[i % PALETTE.length]);
            int px = -1;
            int py = -1;
            for (double[] p : s.points()) {
                if (p[0] < fromS || p[0] > toS) {
                    continue;
                }
                int cx = plotX + (int) ((p[0] - fromS) / (toS - fromS) * plotW);
                int cy = y + plotH - (int) ((p[1] - min) / (max - min) * plotH);
                if (bars) {
                    int barW = Math.max(2, plotW / 120);
                    int zero = y + plotH - (int) ((0 - min) / (max - min) * plotH);
                    g.fillRect(
                            cx - barW / 2 + i % 3, Math.min(cy, zero), barW, Math.abs(zero - cy));
                } else {
                    g.setStroke(new BasicStroke(1.6f));
                    if (px >= 0) {
                        g.drawLine(px, py, cx, cy);
                    } else {
                        g.fillOval(cx - 2, cy - 2, 4, 4);
                    }
                }
                px = cx;
                py = cy;
            }
        }
        g.setStroke(new BasicStroke(1f));
        int ly = y + plotH + 30;
        int lx = plotX;
        int row = 0;
        for (int i = 0; i < series.size() && row < legendRows; i++) {
            Series s = series.get(i);
            String last =
                    s.points().isEmpty()
                            ? ""
                            : " " + format(s.points().get(s.points().size() - 1)[1], unit);
            String label = shorten(s.name(), 40) + last;
            int labelW = 14 + g.getFontMetrics().stringWidth(label) + 16;
            if (lx + labelW > x + w) {
                row++;
                ly += 15;
                lx = plotX;
                if (row >= legendRows) {
                    break;
                }
            }
            g.setColor(PALETTE[i % PALETTE.length]);
            g.fillRect(lx, ly - 9, 10, 10);
            g.setColor(new Color(0xccccdc));
            g.drawString(label, lx + 14, ly);
            lx += labelW;
        }
    }

    private void table(Graphics2D g, Table table, int x, int y, int w, int h) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        int columns = table.header().size();
        double[] weight = new double[columns];
        for (int c = 0; c < columns; c++) {
            weight[c] = Math.min(40, table.header().get(c).length());
            for (List<String> row : table.rows()) {
                weight[c] = Math.max(weight[c], Math.min(40, row.get(c).length()));
            }
        }
        double total = 0;
        for (double v : weight) {
            total += v;
        }
        int[] colX = new int[columns + 1];
        colX[0] = x;
        for (int c = 0; c < columns; c++) {
            colX[c + 1] = colX[c] + (int) (w * weight[c] / total);
        }
        g.setColor(new Color(0x9fa7b3));
        for (int c = 0; c < columns; c++) {
            g.drawString(
                    clip(fm, table.header().get(c), colX[c + 1] - colX[c] - 6), colX[c], y + 11);
        }
        g.setColor(new Color(0x2c3235));
        g.drawLine(x, y + 16, x + w, y + 16);
        int rowY = y + 31;
        if (table.rows().isEmpty()) {
            g.setColor(new Color(0xccccdc));
            g.drawString("No data", x + w / 2 - 20, y + h / 2);
        }
        for (List<String> row : table.rows()) {
            if (rowY > y + h) {
                break;
            }
            g.setColor(new Color(0xccccdc));
            for (int c = 0; c < columns; c++) {
                g.drawString(clip(fm, row.get(c), colX[c + 1] - colX[c] - 6), colX[c], rowY);
            }
            rowY += 16;
        }
    }

    private void stat(
            Graphics2D g, List<Series> series, JsonNode json, int x, int y, int w, int h) {
        JsonNode mappings = json.path("fieldConfig").path("defaults").path("mappings");
        int n = Math.max(1, series.size());
        int boxW = w / n - 6;
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            double value =
                    s.points().isEmpty() ? Double.NaN : s.points().get(s.points().size() - 1)[1];
            String text = Double.isNaN(value) ? "-" : format(value, "");
            Color color = new Color(0x1f60c4);
            for (JsonNode mapping : mappings) {
                JsonNode option = mapping.path("options").path(text);
                if (!option.isMissingNode()) {
                    text = option.path("text").asText(text);
                    color =
                            option.path("color").asText().equals("green")
                                    ? new Color(0x37872d)
                                    : new Color(0xc4162a);
                }
            }
            int bx = x + i * (boxW + 6);
            g.setColor(color);
            g.fillRect(bx, y, boxW, h);
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(clip(g.getFontMetrics(), s.name(), boxW - 8), bx + 6, y + 16);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, boxW < 140 ? 14 : 20));
            g.drawString(clip(g.getFontMetrics(), text, boxW - 8), bx + 6, y + h / 2 + 14);
        }
        if (series.isEmpty()) {
            text(g, "No data", x + w / 2 - 20, y + h / 2);
        }
    }

    private static void text(Graphics2D g, String text, int x, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(0xccccdc));
        g.drawString(text, x, y);
    }

    private static String clip(FontMetrics fm, String text, int width) {
        if (fm.stringWidth(text) <= width) {
            return text;
        }
        String clipped = text;
        while (!clipped.isEmpty() && fm.stringWidth(clipped + "…") > width) {
            clipped = clipped.substring(0, clipped.length() - 1);
        }
        return clipped + "…";
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    /** A value with its Grafana unit, roughly as Grafana shows it. */
    static String format(double v, String unit) {
        return switch (unit) {
            case "percent" -> String.format(Locale.ROOT, "%.1f%%", v);
            case "percentunit" -> String.format(Locale.ROOT, "%.1f%%", v * 100);
            case "ms" ->
                    Math.abs(v) >= 1000
                            ? String.format(Locale.ROOT, "%.1f s", v / 1000)
                            : String.format(Locale.ROOT, "%.0f ms", v);
            case "s" -> String.format(Locale.ROOT, "%.1f s", v);
            case "bytes" ->
                    Math.abs(v) >= 1 << 20
                            ? String.format(Locale.ROOT, "%.1f MiB", v / (1 << 20))
                            : Math.abs(v) >= 1024
                                    ? String.format(Locale.ROOT, "%.1f KiB", v / 1024)
                                    : String.format(Locale.ROOT, "%.0f B", v);
            case "ops" -> compact(v) + "/s";
            default -> compact(v);
        };
    }

    private static String compact(double v) {
        double a = Math.abs(v);
        if (a >= 1e9) {
            return String.format(Locale.ROOT, "%.1f B", v / 1e9);
        } else if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.1f M", v / 1e6);
        } else if (a >= 1e4) {
            return String.format(Locale.ROOT, "%.1f K", v / 1e3);
        } else if (a == Math.rint(a)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, a >= 10 ? "%.1f" : "%.2f", v);
    }
}
