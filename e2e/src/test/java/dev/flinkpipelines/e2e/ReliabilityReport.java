package dev.flinkpipelines.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes {@code docs/RELIABILITY.md} from the long profile's runs. The runs' results are also saved
 * ({@code e2e/target/fault-run/results.ser}); {@link #main} writes the report again from them, with
 * notes (an analysis of the differences, say) that a run cannot know.
 */
public final class ReliabilityReport {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private ReliabilityReport() {}

    /** {@code ReliabilityReport <results.ser> <report.md> [@notes.md]}. */
    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        try (java.io.ObjectInputStream in =
                new java.io.ObjectInputStream(Files.newInputStream(Path.of(args[0])))) {
            List<FaultRun.Result> results = (List<FaultRun.Result>) in.readObject();
            String command = (String) in.readObject();
            write(Path.of(args[1]), results, command, note(args.length > 2 ? args[2] : null));
        }
    }

    static void save(Path file, List<FaultRun.Result> results, String command) throws IOException {
        Files.createDirectories(file.getParent());
        try (java.io.ObjectOutputStream out =
                new java.io.ObjectOutputStream(Files.newOutputStream(file))) {
            out.writeObject(new ArrayList<>(results));
            out.writeObject(command);
        }
    }

    /** A note given as text, or as {@code @path} to a Markdown file. */
    static String note(String value) throws IOException {
        if (value == null || !value.startsWith("@")) {
            return value;
        }
        return Files.readString(Path.of(value.substring(1)), StandardCharsets.UTF_8);
    }

    static void write(Path file, List<FaultRun.Result> runs, String command, String note)
            throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Reliability: the fault-injection run\n\n");
        md.append(
                "Written by the long profile of `e2e/FaultInjectionIT` (see README, \"Reliability\"). Every job's shaded jar runs on a real\n"
                        + "standalone Flink 2.2.1 session cluster (one JobManager, three TaskManagers of 8 slots, `flink-conf/config.yaml`) at parallelism 2,\n"
                        + "against a real Kafka 4.2 broker in its own process and a real PostgreSQL 17, under continuous generated load on every\n"
                        + "input topic with invalid, resent, out-of-order and very late records. Faults are injected from outside while the load\n"
                        + "flows; at the end the load stops, every job catches up, its sources go idle (longer than `--source-idle-timeout`), it is\n"
                        + "drained with `flink stop --drain`, and every table is compared row by row with what an undisturbed run must produce,\n"
                        + "computed independently from the records in the input topics (`e2e/Expectation`).\n\n");
        md.append("Command:\n\n```bash\n").append(command).append("\n```\n\n");
        md.append("Machine: ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, Java ")
                .append(System.getProperty("java.version"))
                .append(", ")
                .append(System.getProperty("os.name"))
                .append(' ')
                .append(System.getProperty("os.arch"))
                .append(". Written ")
                .append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                .append(".\n\n");

        md.append(
                "## Summary\n\n| run | seed | records per main topic | faults | checks exact | rows lost | rows unexpected | rows doubled | rows different | prepared left |\n"
                        + "|---|---|---|---|---|---|---|---|---|---|\n");
        for (FaultRun.Result r : runs) {
            int lost = 0;
            int unexpected = 0;
            int doubled = 0;
            int different = 0;
            int exact = 0;
            for (TableCheck.Diff d : r.diffs()) {
                lost += d.missing().size();
                unexpected += d.unexpected().size();
                doubled += d.doubled().size();
                different += d.different().size();
                exact += d.exact() ? 1 : 0;
            }
            md.append("| ")
                    .append(r.settings().name())
                    .append(" | ")
                    .append(r.settings().load().seed())
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", mainTopicRecords(r)))
                    .append(" | ")
                    .append(r.faults().size())
                    .append(" | ")
                    .append(exact)
                    .append(" of ")
                    .append(r.diffs().size())
                    .append(" | ")
                    .append(lost)
                    .append(" | ")
                    .append(unexpected)
                    .append(" | ")
                    .append(doubled)
                    .append(" | ")
                    .append(different)
                    .append(" | ")
                    .append(r.preparedLeft().size())
                    .append(" |\n");
        }
        md.append(
                "\n\"Lost\" = an expected row (key) missing; \"unexpected\" = a row whose key should not exist; \"doubled\" = a key stored more than\n"
                        + "once; \"different\" = the key is there with other values. All must be 0.\n");
        if (note != null && !note.isBlank()) {
            md.append('\n').append(note.strip()).append('\n');
        }

        for (FaultRun.Result r : runs) {
            run(md, r);
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8);
    }

    private static long mainTopicRecords(FaultRun.Result r) {
        return r.inputRecords().entrySet().stream()
                .filter(
                        e ->
                                List.of("user-events", "events_raw", "orders", "video-views")
                                        .contains(e.getKey()))
                .mapToLong(Map.Entry::getValue)
                .min()
                .orElse(0);
    }

    private static void run(StringBuilder md, FaultRun.Result r) {
        FaultRun.Settings s = r.settings();
        FaultLoad.Settings load = s.load();
        md.append("\n## Run ")
                .append(s.name())
                .append(" (seed ")
                .append(load.seed())
                .append(")\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "Load: %.0f records/s on each of user-events, events_raw, orders, video-views (inventory_events a "
                                + "quarter of that, menu_updates every 20 s), %,d records per main topic; %.1f %% invalid, %.1f %% resent, %.1f %% out of "
                                + "order, %.1f %% very late. Parallelism %s. Started %s UTC, load ran %s, drained %s after the load's last record, "
                                + "whole run %s.%n%n",
                        load.ratePerTopic(),
                        load.recordsPerTopic(),
                        load.invalid() * 100,
                        load.resent() * 100,
                        load.outOfOrder() * 100,
                        load.veryLate() * 100,
                        s.parallelism()
                                + (s.flinkOverrides().isEmpty()
                                        ? ""
                                        : "; flink-conf overridden with " + s.flinkOverrides()),
                        TIME.format(Instant.ofEpochMilli(r.loadStartedAt())),
                        FaultRun.seconds(r.loadEndedAt() - r.loadStartedAt()),
                        FaultRun.seconds(r.drainedAt() - r.loadEndedAt()),
                        FaultRun.seconds(r.finishedAt() - r.startedAt())));

        md.append(
                "### Faults, in order\n\n| # | at (UTC) | +load | fault | what happened | injection took |\n|---|---|---|---|---|---|\n");
        for (FaultRun.FaultRecord f : r.faults()) {
            md.append("| ")
                    .append(f.number())
                    .append(" | ")
                    .append(TIME.format(Instant.ofEpochMilli(f.at())))
                    .append(" | ")
                    .append(FaultRun.seconds(f.at() - r.loadStartedAt()))
                    .append(" | ")
                    .append(f.fault().kind().description)
                    .append(f.fault().target().equals("all") ? "" : " (" + f.fault().target() + ")")
                    .append(" | ")
                    .append(f.detail())
                    .append(f.error() == null ? "" : " — " + f.error())
                    .append(" | ")
                    .append(FaultRun.seconds(f.injectionMillis()))
                    .append(" |\n");
        }

        md.append(
                "\n### Recovery per fault and job\n\nSeconds after the fault began: all of the job's tasks RUNNING again (REST API; `-` = it never "
                        + "stopped running) / its consumer group's offsets committed again (a checkpoint completed with new input) / new result rows "
                        + "visible in PostgreSQL (kpi's rows appear only when a minute window fires).\n\n| # | fault |");
        for (String job : FaultRun.JOBS) {
            md.append(' ').append(job).append(" |");
        }
        md.append("\n|---|---|");
        FaultRun.JOBS.forEach(j -> md.append("---|"));
        md.append('\n');
        Map<String, List<Long>> runningByKind = new TreeMap<>();
        for (FaultRun.FaultRecord f : r.faults()) {
            md.append("| ").append(f.number()).append(" | ").append(f.fault()).append(" |");
            for (String job : FaultRun.JOBS) {
                RecoveryMonitor.Recovery rec =
                        f.recoveries().stream()
                                .filter(x -> x.job().equals(job))
                                .findFirst()
                                .orElse(null);
                if (rec == null) {
                    md.append(" ? |");
                    continue;
                }
                md.append(' ')
                        .append(
                                rec.interrupted()
                                        ? FaultRun.seconds(rec.runningAgainMillis())
                                        : "-")
                        .append(" / ")
                        .append(FaultRun.seconds(rec.inputCommittedAgainMillis()))
                        .append(" / ")
                        .append(FaultRun.seconds(rec.rowsVisibleAgainMillis()))
                        .append(" |");
                if (rec.interrupted() && rec.runningAgainMillis() >= 0) {
                    runningByKind
                            .computeIfAbsent(f.fault().kind().flag, k -> new ArrayList<>())
                            .add(rec.runningAgainMillis());
                }
            }
            md.append('\n');
        }
        if (!runningByKind.isEmpty()) {
            md.append("\nTime to RUNNING again by fault kind (over the jobs it interrupted): ");
            List<String> parts = new ArrayList<>();
            runningByKind.forEach(
                    (kind, times) -> {
                        List<Long> sorted = new ArrayList<>(times);
                        sorted.sort(Long::compare);
                        parts.add(
                                kind
                                        + " median "
                                        + FaultRun.seconds(sorted.get(sorted.size() / 2))
                                        + ", max "
                                        + FaultRun.seconds(sorted.get(sorted.size() - 1))
                                        + " ("
                                        + sorted.size()
                                        + ")");
                    });
            md.append(String.join("; ", parts)).append(".\n");
        }

        md.append(
                "\n### Records in the input topics\n\n| topic | records | by kind (generator's header) |\n|---|---|---|\n");
        for (Map.Entry<String, Integer> topic : r.inputRecords().entrySet()) {
            String role =
                    FaultRun.TOPICS.entrySet().stream()
                            .filter(e -> e.getValue().equals(topic.getKey()))
                            .map(Map.Entry::getKey)
                            .findFirst()
                            .orElse(null);
            md.append("| ")
                    .append(topic.getKey())
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", topic.getValue()))
                    .append(" | ")
                    .append(
                            role == null || r.inputSummary().get(role) == null
                                    ? ""
                                    : r.inputSummary().get(role).toString())
                    .append(" |\n");
        }

        md.append(
                "\n### Rows verified per table\n\n| table | expected | actual | lost | unexpected | doubled | different | |\n"
                        + "|---|---|---|---|---|---|---|---|\n");
        for (TableCheck.Diff d : r.diffs()) {
            md.append("| ")
                    .append(d.table())
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", d.expectedRows()))
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", d.actualRows()))
                    .append(" | ")
                    .append(d.missing().size())
                    .append(" | ")
                    .append(d.unexpected().size())
                    .append(" | ")
                    .append(d.doubled().size())
                    .append(" | ")
                    .append(d.different().size())
                    .append(" | ")
                    .append(d.exact() ? "exact" : "**differs**")
                    .append(" |\n");
        }
        md.append("\n`pg_prepared_xacts` after the drain: ")
                .append(r.preparedLeft().isEmpty() ? "empty" : r.preparedLeft().toString())
                .append(". Jobs after `flink stop --drain`: ")
                .append(r.finalStates())
                .append(".\n");
        if (!r.problems().isEmpty()) {
            md.append("\nProblems during the run:\n\n");
            r.problems().forEach(p -> md.append("- ").append(p).append('\n'));
        }
        boolean any = r.diffs().stream().anyMatch(d -> !d.exact());
        if (any) {
            md.append("\n### Differences (first rows of each kind)\n\n```\n");
            for (TableCheck.Diff d : r.diffs()) {
                if (!d.exact()) {
                    md.append(d.describe(6)).append('\n');
                }
            }
            md.append("```\n");
        }
    }
}
