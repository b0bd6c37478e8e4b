package dev.flinkpipelines.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * "Results do not depend on failures or operations" (docs/CONTRACTS.md), tested from outside: every
 * job on a real standalone session cluster under continuous load while TaskManagers are killed,
 * PostgreSQL and the Kafka broker crash and restart, every database session is terminated, and jobs
 * are stopped with savepoints, resumed and rescaled — then every table, raw and derived, must be
 * exactly what an undisturbed run over the same input produces ({@link FaultRun}, {@link
 * Expectation}).
 *
 * <p>Two profiles, chosen with system properties (Maven passes {@code -D} flags through):
 *
 * <ul>
 *   <li><b>short</b> (default; part of {@code mvn verify}): 40 records/s per topic, 4,000 per main
 *       topic, faults 12 s apart (overlapping recoveries): a TaskManager SIGKILL, a PostgreSQL
 *       immediate restart, a rescale of the orders job through savepoints, a Kafka broker kill and
 *       pg_terminate_backend of every session;
 *   <li><b>long</b> ({@code -Dfaults.profile=long}): the bad day — 300 records/s, 120,000
 *       per main topic, 1 % invalid, 1 % resent, 5 % out of order, 0.2 % very late, and 13 faults
 *       (TaskManager SIGKILL ×4, PostgreSQL immediate restart ×3, Kafka broker kill ×2,
 *       pg_terminate_backend ×2, stop-with-savepoint + resume ×1, rescale 2 → 1 → 2 ×1) in an order
 *       shuffled by the seed, run twice (seeds {@code s} and {@code s+1}); writes {@code
 *       docs/RELIABILITY.md}.
 * </ul>
 *
 * Every setting can be overridden: {@code faults.seed}, {@code faults.runs}, {@code faults.rate},
 * {@code faults.records}, {@code faults.invalid}, {@code faults.resent}, {@code
 * faults.out-of-order}, {@code faults.very-late} (fractions), {@code faults.list} (comma-separated:
 * tm-kill, pg-restart, kafka-restart, pg-terminate, savepoint[:job], rescale[:job]), {@code
 * faults.shuffle}, {@code faults.report} (where the long profile writes its report), {@code
 * faults.note} (text, or {@code @file}, for the report's notes), and {@code faults.conf.<key>} (a
 * flink-conf setting overridden for the run, to measure what it changes).
 */
class FaultInjectionIT {

    private static final List<String> SHORT_FAULTS =
            List.of("tm-kill", "pg-restart", "rescale:orders", "kafka-restart", "pg-terminate");
    private static final List<String> LONG_FAULTS =
            List.of(
                    "tm-kill",
                    "tm-kill",
                    "tm-kill",
                    "tm-kill",
                    "pg-restart",
                    "pg-restart",
                    "pg-restart",
                    "kafka-restart",
                    "kafka-restart",
                    "pg-terminate",
                    "pg-terminate",
                    "savepoint",
                    "rescale");

    @Test
    void everyTableIsExactAfterFaultsOfEveryKind() throws Exception {
        boolean longProfile = System.getProperty("faults.profile", "short").equals("long");
        long seed = Long.getLong("faults.seed", 1);
        int runs = Integer.getInteger("faults.runs", longProfile ? 2 : 1);
        FaultLoad.Settings base =
                new FaultLoad.Settings(
                        doubleProperty("faults.rate", longProfile ? 300 : 40),
                        Long.getLong("faults.records", longProfile ? 120_000 : 4_000),
                        doubleProperty("faults.invalid", longProfile ? 0.01 : 0.02),
                        doubleProperty("faults.resent", longProfile ? 0.01 : 0.02),
                        doubleProperty("faults.out-of-order", 0.05),
                        // the short run is too short for 0.2 % to give more than a handful
                        doubleProperty("faults.very-late", longProfile ? 0.002 : 0.01),
                        seed);
        String list = System.getProperty("faults.list");
        List<String> faultSpecs =
                list == null
                        ? (longProfile ? LONG_FAULTS : SHORT_FAULTS)
                        : List.of(list.split(","));
        boolean shuffle =
                Boolean.parseBoolean(
                        System.getProperty("faults.shuffle", String.valueOf(longProfile)));

        List<FaultRun.Result> results = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long runSeed = seed + i;
            List<FaultRun.Fault> faults =
                    new ArrayList<>(faultSpecs.stream().map(FaultRun.Fault::parse).toList());
            if (shuffle) {
                Collections.shuffle(faults, new Random(runSeed));
            }
            FaultLoad.Settings load =
                    new FaultLoad.Settings(
                            base.ratePerTopic(),
                            base.recordsPerTopic(),
                            base.invalid(),
                            base.resent(),
                            base.outOfOrder(),
                            base.veryLate(),
                            runSeed);
            String name = (longProfile ? "long" : "short") + (runs > 1 ? "-" + (i + 1) : "");
            // the long profile measures each recovery on its own; the short one lets faults overlap
            // to stay short
            // parallelism 2 everywhere: 10 slots. Three TaskManagers of 8 slots keep one
            // TaskManager's worth
            // spare, as flink-conf/config.yaml advises, so a lost one's tasks restart on the others
            // at once
            FaultRun.Settings settings =
                    new FaultRun.Settings(
                            name,
                            load,
                            faults,
                            2,
                            3,
                            Duration.ofSeconds(30),
                            longProfile,
                            Duration.ofSeconds(longProfile ? 10 : 12),
                            flinkOverrides(),
                            Path.of("target", "fault-run", name).toAbsolutePath().toString());
            results.add(new FaultRun(settings).run());
        }

        if (longProfile) {
            Path report =
                    Path.of(System.getProperty("faults.report", "../docs/RELIABILITY.md"))
                            .toAbsolutePath()
                            .normalize();
            // the results, kept so the report can be written again (with notes) without another run
            ReliabilityReport.save(
                    Path.of("target", "fault-run", "results.ser"), results, command());
            ReliabilityReport.write(
                    report,
                    results,
                    command(),
                    ReliabilityReport.note(System.getProperty("faults.note")));
            System.out.println("wrote " + report);
        }
        for (FaultRun.Result result : results) {
            assertTrue(
                    result.exact(),
                    "run "
                            + result.settings().name()
                            + " (seed "
                            + result.settings().load().seed()
                            + ", faults "
                            + result.faults().stream().map(f -> f.fault().toString()).toList()
                            + "): tables differ from an undisturbed run"
                            + result.summary()
                            + "\nlogs: "
                            + result.settings().home());
        }
    }

    /**
     * {@code -Dfaults.conf.<key>=<value>}: a flink-conf setting to measure against the shipped one.
     */
    private static Map<String, String> flinkOverrides() {
        Map<String, String> overrides = new TreeMap<>();
        System.getProperties().stringPropertyNames().stream()
                .filter(p -> p.startsWith("faults.conf."))
                .forEach(
                        p ->
                                overrides.put(
                                        p.substring("faults.conf.".length()),
                                        System.getProperty(p)));
        return overrides;
    }

    private static double doubleProperty(String name, double fallback) {
        String value = System.getProperty(name);
        return value == null ? fallback : Double.parseDouble(value);
    }

    /**
     * The command that reproduces this run: the Maven line with every faults.* property that was
     * set.
     */
    private static String command() {
        StringBuilder command =
                new StringBuilder(
                        "mvn -B -ntp -pl e2e -am verify -Dtest=FaultInjectionIT -Dsurefire.failIfNoSpecifiedTests=false");
        System.getProperties().stringPropertyNames().stream()
                .filter(p -> p.startsWith("faults.") && !p.equals("faults.note"))
                .sorted()
                .forEach(
                        p ->
                                command.append(" -D")
                                        .append(p)
                                        .append('=')
                                        .append(System.getProperty(p)));
        return command.toString();
    }
}
