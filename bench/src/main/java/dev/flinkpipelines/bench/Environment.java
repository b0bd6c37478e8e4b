package dev.flinkpipelines.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.runtime.util.EnvironmentInformation;

/** The machine and the versions, for the report. */
final class Environment {

    private Environment() {}

    static Map<String, String> describe(
            Services services, int parallelism, String taskHeap, String stateBackend)
            throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        String cpu = "?";
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                cpu = line.substring(line.indexOf(':') + 1).strip();
                break;
            }
        }
        long memKb = 0;
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                memKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        env.put("CPU", Runtime.getRuntime().availableProcessors() + " cores, " + cpu);
        env.put("memory", String.format(java.util.Locale.ROOT, "%.1f GiB", memKb / 1048576.0));
        env.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.put(
                "Java",
                System.getProperty("java.vm.name")
                        + " "
                        + System.getProperty("java.runtime.version"));
        env.put(
                "Flink",
                EnvironmentInformation.getVersion()
                        + " (local MiniCluster: JobManager + 1 TaskManager in a forked JVM per run, -Xmx"
                        + taskHeap
                        + ", parallelism "
                        + parallelism
                        + ")");
        env.put("Flink state backend", stateBackend);
        env.put(
                "Kafka",
                org.apache.kafka.common.utils.AppInfoParser.getVersion()
                        + " (KRaft, one combined broker/controller, "
                        + 2 * parallelism
                        + " partitions per topic)");
        try (Connection c = services.connect();
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "SELECT version(), current_setting('fsync'),"
                                        + " current_setting('synchronous_commit')")) {
            r.next();
            // the durability the server reports, not the one asked for
            env.put(
                    "PostgreSQL",
                    r.getString(1).replaceAll(" on .*", "")
                            + " (embedded binaries; "
                            + new TreeMap<>(Services.POSTGRES_SETTINGS)
                            + "; the server reports fsync "
                            + r.getString(2)
                            + ", synchronous_commit "
                            + r.getString(3)
                            + ")");
        }
        env.put("PostgreSQL JDBC", org.postgresql.util.DriverInfo.DRIVER_VERSION);
        env.put(
                "flink-connector-jdbc",
                "flink-connector-jdbc-core 4.0.0-2.0 (JdbcSink exactly once, PGXADataSource)");
        return env;
    }
}
