package dev.flinkpipelines.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one bench run measured, for the report and the chart. */
final class Results {

    /** One forked job run. */
    static final class Run {
        Variant variant;
        String mode; // "batch" (--bounded) or "streaming"
        String status = "";
        double seconds;
        long events;
        Map<String, Long> rows = new LinkedHashMap<>();
        int preparedLeft;
        long heapPeakMb;
        long heapLivePeakMb;
        long rssPeakMb;
        String error = "";
        String writes = "all tables";

        /**
         * CPU seconds during the run: the job's JVM, PostgreSQL, the bench's JVM (Kafka broker,
         * poller).
         */
        double cpuFlink;

        double cpuPostgres;
        double cpuKafka;

        double eventsPerSecond() {
            return seconds > 0 ? events / seconds : 0;
        }

        boolean ok() {
            return status.equals("FINISHED") || status.equals("REACHED");
        }
    }

    /** PostgreSQL COPY of a job's output rows into empty copies of its tables. */
    static final class Ceiling {
        long rows;
        double seconds;
        Map<String, Long> rowsPerTable = new LinkedHashMap<>();

        double rowsPerSecond() {
            return rows / seconds;
        }
    }

    static final class Job {
        final String name;
        long events;
        Map<String, Long> eventsPerTopic = new LinkedHashMap<>();
        Ceiling ceiling;
        final Map<Variant, Run> runs = new EnumMap<>(Variant.class);

        Job(String name) {
            this.name = name;
        }

        /** The ceiling in events/s: N events' worth of this job's output rows, COPYed. */
        double ceilingEventsPerSecond() {
            return ceiling == null ? 0 : events / ceiling.seconds;
        }
    }

    static final class Freshness {
        long intervalMs;
        long sent;
        long measured;
        long notVisible;
        long p50;
        long p95;
        long p99;
        long max;
        double achievedRate;
        Run run;
    }

    final List<Job> jobs = new ArrayList<>();
    final List<Freshness> freshness = new ArrayList<>();
    String command;
    String startedAt;
    double totalMinutes;
    Map<String, String> environment = new LinkedHashMap<>();
}
