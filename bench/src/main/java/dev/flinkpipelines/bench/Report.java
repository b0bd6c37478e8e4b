package dev.flinkpipelines.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * docs/BENCHMARKS.md from the results; what follows {@link #KEEP_MARKER} in the old file is kept.
 */
final class Report {

    static final String KEEP_MARKER =
            "<!-- everything below this line is written by hand and kept when the bench rewrites this file -->";

    private Report() {}

    static String markdown(Results r, String chartPath, Path existing) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Measured by `./bench/run.sh` (README \"Benchmark\") in one run on ")
                .append(r.startedAt)
                .append(
                        String.format(
                                Locale.ROOT,
                                ", %.0f minutes. The machine runs Kafka, PostgreSQL and Flink together.\n\n",
                                r.totalMinutes));
        md.append("```\n").append(r.command).append("\n```\n\n");
        md.append("![throughput vs the COPY ceiling, and freshness vs checkpoint interval](")
                .append(chartPath)
                .append(")\n\n");

        md.append("## Machine and versions\n\n| | |\n|---|---|\n");
        r.environment.forEach(
                (k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));

        md.append("\n## Throughput against the COPY ceiling\n\n");
        md.append(
                "Each run: a fresh consumer group reads the pre-produced topic from the start; time from job submission to the last"
                        + " row committed (batch: the job finished, its sink committed; streaming: the main table holds every row). Tables"
                        + " are truncated before every run. The **ceiling** is PostgreSQL COPY of the rows the exactly-once run wrote"
                        + " into empty tables with the same indexes, one COPY stream per table; as events/s it is N events' worth of"
                        + " output rows per COPY second.\n\n");
        md.append(
                "| job | events | rows written (exactly once) | COPY ceiling rows/s | ceiling events/s | variant | mode | writes | result | events/s | % of ceiling | vs at-least-once | heap peak / live MB | RSS MB | CPU s Flink / PostgreSQL / Kafka |\n");
        md.append("|---|---:|---|---:|---:|---|---|---|---|---:|---:|---:|---:|---:|---|\n");
        for (Results.Job j : r.jobs) {
            Results.Run alo = j.runs.get(Variant.AT_LEAST_ONCE);
            boolean first = true;
            for (Results.Run run : j.runs.values()) {
                md.append("| ")
                        .append(first ? "**" + j.name + "**" : "")
                        .append(" | ")
                        .append(first ? fmt(j.events) : "")
                        .append(" | ")
                        .append(first ? rows(j) : "")
                        .append(" | ")
                        .append(first && j.ceiling != null ? fmt(j.ceiling.rowsPerSecond()) : "")
                        .append(" | ")
                        .append(first && j.ceiling != null ? fmt(j.ceilingEventsPerSecond()) : "")
                        .append(" | ")
                        .append(run.variant.flag)
                        .append(" | ")
                        .append(run.mode)
                        .append(" | ")
                        .append(run.writes)
                        .append(" | ")
                        .append(outcome(run))
                        .append(" | ")
                        .append(committed(run) ? fmt(run.eventsPerSecond()) : "—")
                        .append(" | ")
                        .append(
                                committed(run) && j.ceiling != null
                                        ? pct(run.eventsPerSecond() / j.ceilingEventsPerSecond())
                                        : "—")
                        .append(" | ")
                        .append(
                                committed(run) && alo != null && alo.ok() && run != alo
                                        ? pct(run.eventsPerSecond() / alo.eventsPerSecond())
                                        : "—")
                        .append(" | ")
                        .append(run.heapPeakMb)
                        .append(" / ")
                        .append(run.heapLivePeakMb)
                        .append(" | ")
                        .append(run.rssPeakMb)
                        .append(" | ")
                        .append(
                                String.format(
                                        Locale.ROOT,
                                        "%.0f / %.0f / %.0f",
                                        run.cpuFlink,
                                        run.cpuPostgres,
                                        run.cpuKafka))
                        .append(" |\n");
                first = false;
            }
        }
        List<String> errors = new ArrayList<>();
        for (Results.Job j : r.jobs) {
            for (Results.Run run : j.runs.values()) {
                if (!run.error.isEmpty()) {
                    errors.add(
                            "- "
                                    + j.name
                                    + " "
                                    + run.variant.flag
                                    + " ("
                                    + run.status
                                    + "): `"
                                    + Bench.abbreviate(run.error, 600).replace("`", "'")
                                    + "`");
                }
            }
        }
        if (!errors.isEmpty()) {
            md.append("\nErrors, as the runs reported them:\n\n")
                    .append(String.join("\n", errors))
                    .append("\n");
        }

        if (!r.freshness.isEmpty()) {
            md.append("\n## Freshness (user-events, streaming, exactly once)\n\n");
            md.append("Valid events at a fixed rate; delay = first poll (every ")
                    .append(FreshnessProbe.POLL_MS)
                    .append(
                            " ms) that sees the record's row committed in PostgreSQL − the record's Kafka timestamp.\n\n");
            md.append(
                    "| checkpoint interval | records | rate achieved | p50 ms | p95 ms | p99 ms | max ms | not visible | target p99 ≤ | met | heap peak / live MB | RSS MB |\n");
            md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
            for (Results.Freshness f : r.freshness) {
                long target = f.intervalMs + 1000;
                md.append("| ")
                        .append(f.intervalMs)
                        .append(" ms | ")
                        .append(fmt(f.measured))
                        .append(" | ")
                        .append(fmt(f.achievedRate))
                        .append("/s | ")
                        .append(f.p50)
                        .append(" | ")
                        .append(f.p95)
                        .append(" | ")
                        .append(f.p99)
                        .append(" | ")
                        .append(f.max)
                        .append(" | ")
                        .append(f.notVisible)
                        .append(" | ")
                        .append(target)
                        .append(" ms | ")
                        .append(
                                f.measured > 0 && f.notVisible == 0 && f.p99 <= target
                                        ? "yes"
                                        : "**no**")
                        .append(" | ")
                        .append(f.run.heapPeakMb)
                        .append(" / ")
                        .append(f.run.heapLivePeakMb)
                        .append(" | ")
                        .append(f.run.rssPeakMb)
                        .append(" |\n");
            }
        }

        md.append("\n## Targets\n\n").append(targets(r));
        md.append(
                "\nMemory: each run is its own JVM (`-Xmx` above) holding the JobManager and the TaskManager; \"heap peak\" is"
                        + " the highest used heap sampled every 100 ms (includes garbage not yet collected), \"live\" the highest heap"
                        + " left after a collection (MemoryPoolMXBean collection usage), RSS the kernel's peak resident set (VmHWM) of"
                        + " the whole process. CPU seconds per run: the job's JVM (Flink and the job's Kafka clients), every PostgreSQL process,"
                        + " and the bench's JVM, which hosts the Kafka broker (and polls PostgreSQL in streaming runs); the machine has"
                        + " 2 cores, so a run of T seconds has 2T CPU seconds.\n");

        md.append("\n").append(KEEP_MARKER).append("\n");
        if (existing != null && Files.exists(existing)) {
            String old = Files.readString(existing);
            int at = old.indexOf(KEEP_MARKER);
            if (at >= 0) {
                md.append(old.substring(at + KEEP_MARKER.length()).replaceFirst("^\n", ""));
            }
        }
        return md.toString();
    }

    static String targets(Results r) {
        StringBuilder t = new StringBuilder("| target | figure | met |\n|---|---|---|\n");
        for (Results.Job j : r.jobs) {
            Results.Run eo = j.runs.get(Variant.EXACTLY_ONCE);
            Results.Run alo = j.runs.get(Variant.AT_LEAST_ONCE);
            Results.Run xa = j.runs.get(Variant.XA);
            Results.Run eoStream = j.runs.get(Variant.EXACTLY_ONCE_STREAMING);
            if (eo == null || !eo.ok()) {
                continue;
            }
            if ((j.name.equals("user-events") || j.name.equals("orders")) && j.ceiling != null) {
                double share = eo.eventsPerSecond() / j.ceilingEventsPerSecond();
                t.append("| ")
                        .append(j.name)
                        .append(" exactly once ≥ 50 % of COPY ceiling | ")
                        .append(pct(share))
                        .append(" | ")
                        .append(share >= 0.5 ? "yes" : "**no**")
                        .append(" |\n");
            }
            if (alo != null && alo.ok()) {
                double ratio = eo.eventsPerSecond() / alo.eventsPerSecond();
                t.append("| ")
                        .append(j.name)
                        .append(" exactly once within 15 % of at least once | ")
                        .append(pct(ratio))
                        .append(" | ")
                        .append(ratio >= 0.85 ? "yes" : "**no**")
                        .append(" |\n");
            }
            if (xa != null) {
                Results.Run ours = xa.mode.equals("streaming") && eoStream != null ? eoStream : eo;
                String figure;
                boolean met;
                if (xa.ok() && xa.rows.values().stream().mapToLong(Long::longValue).sum() > 0) {
                    figure =
                            fmt(ours.eventsPerSecond())
                                    + " vs XA "
                                    + fmt(xa.eventsPerSecond())
                                    + " events/s ("
                                    + xa.mode
                                    + ")";
                    met = ours.ok() && ours.eventsPerSecond() >= xa.eventsPerSecond();
                } else {
                    figure =
                            "XA "
                                    + xa.status
                                    + ", "
                                    + xa.rows.getOrDefault(Bench.MAIN_TABLE.get(j.name), 0L)
                                    + " rows committed, "
                                    + xa.preparedLeft
                                    + " prepared left";
                    met = ours.ok();
                }
                t.append("| ")
                        .append(j.name)
                        .append(" exactly once ≥ XA sink | ")
                        .append(figure)
                        .append(" | ")
                        .append(met ? "yes" : "**no**")
                        .append(" |\n");
            }
        }
        for (Results.Freshness f : r.freshness) {
            long target = f.intervalMs + 1000;
            t.append("| p99 freshness ≤ ")
                    .append(f.intervalMs)
                    .append(" ms + 1 s | ")
                    .append(f.p99)
                    .append(" ms | ")
                    .append(
                            f.measured > 0 && f.notVisible == 0 && f.p99 <= target
                                    ? "yes"
                                    : "**no**")
                    .append(" |\n");
        }
        long heap = 0;
        long live = 0;
        for (Results.Job j : r.jobs) {
            for (Results.Run run : j.runs.values()) {
                heap = Math.max(heap, run.heapPeakMb);
                live = Math.max(live, run.heapLivePeakMb);
            }
        }
        for (Results.Freshness f : r.freshness) {
            heap = Math.max(heap, f.run.heapPeakMb);
            live = Math.max(live, f.run.heapLivePeakMb);
        }
        t.append("| TaskManager heap ≤ 1 GiB | peak ")
                .append(heap)
                .append(" MB used, ")
                .append(live)
                .append(" MB live (JobManager included) | ")
                .append(heap <= 1024 ? "yes" : "**no**")
                .append(" |\n");
        return t.toString();
    }

    static String summary(Results r) {
        return targets(r);
    }

    private static String rows(Results.Job j) {
        Results.Run eo = j.runs.get(Variant.EXACTLY_ONCE);
        if (eo == null) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Long> e : eo.rows.entrySet()) {
            parts.add(e.getKey() + " " + fmt(e.getValue()));
        }
        return String.join("<br>", parts);
    }

    /** The run finished and committed rows (the XA sink in BATCH finishes with none). */
    private static boolean committed(Results.Run run) {
        return run.ok() && run.rows.values().stream().mapToLong(Long::longValue).sum() > 0;
    }

    private static String outcome(Results.Run run) {
        if (run.ok() && !committed(run)) {
            return "**finished, 0 rows committed**, " + run.preparedLeft + " prepared left";
        }
        if (run.ok()) {
            return run.preparedLeft > 0 ? "ok, " + run.preparedLeft + " prepared left" : "ok";
        }
        long rows = run.rows.values().stream().mapToLong(Long::longValue).sum();
        return "**"
                + run.status.toLowerCase(Locale.ROOT)
                + "** after "
                + String.format(Locale.ROOT, "%.0f s", run.seconds)
                + ", "
                + fmt(rows)
                + " rows, "
                + run.preparedLeft
                + " prepared left";
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f %%", v * 100);
    }
}
