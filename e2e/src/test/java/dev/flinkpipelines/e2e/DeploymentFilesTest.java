package dev.flinkpipelines.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flinkpipelines.common.options.CommandLine;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.jobs.drinkshop.DrinkShopJob;
import dev.flinkpipelines.jobs.kpi.KpiJob;
import dev.flinkpipelines.jobs.orders.OrdersJob;
import dev.flinkpipelines.jobs.userevents.UserEventsJob;
import dev.flinkpipelines.jobs.videoviews.VideoViewsJob;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What can be checked of docker-compose.yml and flink-conf/ without a Docker engine: the files
 * parse; every file they mount exists (after {@code mvn package}); ports, directories, image
 * versions and topic names agree with flink-conf/config.yaml, the build and the jobs; and every
 * {@code flink run} line in the README's Deploy section names a mounted jar and parses with that
 * job's own flags.
 */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Each job's name -> its command line, as flink run sees it. */
    private static final Map<String, CommandLine> JOBS = new LinkedHashMap<>();

    private static JsonNode compose;
    private static Configuration flinkConf;

    @BeforeAll
    static void load() throws IOException {
        compose = new YAMLMapper().readTree(ROOT.resolve("docker-compose.yml").toFile());
        flinkConf = GlobalConfiguration.loadConfiguration(ROOT.resolve("flink-conf").toString());
        JOBS.put(UserEventsJob.NAME, UserEventsJob.commandLine());
        JOBS.put(OrdersJob.NAME, OrdersJob.commandLine());
        JOBS.put(KpiJob.NAME, KpiJob.commandLine());
        JOBS.put(DrinkShopJob.NAME, DrinkShopJob.commandLine());
        JOBS.put(VideoViewsJob.NAME, VideoViewsJob.commandLine());
    }

    @Test
    void composeHasEveryServiceOfTheDeployment() {
        Set<String> services = new TreeSet<>();
        compose.path("services").fieldNames().forEachRemaining(services::add);
        assertEquals(new TreeSet<>(List.of("kafka", "kafka-topics", "postgres", "migrate", "flink-data", "jobmanager", "taskmanager")),
                services);
    }

    @Test
    void everyFileComposeMountsExists() {
        List<String> missing = new ArrayList<>();
        compose.path("services").forEach(service -> service.path("volumes").forEach(volume -> {
            String hostPath = volume.asText().split(":")[0];
            if (hostPath.startsWith("./") && !Files.exists(ROOT.resolve(hostPath))) {
                missing.add(hostPath);
            }
        }));
        assertEquals(List.of(), missing, "docker-compose.yml mounts files that the build does not produce");
    }

    @Test
    void everyJobJarIsMountedIntoTheJobManagerUnderJobs() {
        Map<String, String> mounted = new LinkedHashMap<>();
        for (JsonNode volume : compose.at("/services/jobmanager/volumes")) {
            String[] parts = volume.asText().split(":");
            if (parts[1].startsWith("/jobs/")) {
                mounted.put(parts[1], parts[0]);
            }
        }
        for (String job : JOBS.keySet()) {
            String hostJar = mounted.get("/jobs/" + job + ".jar");
            assertNotNull(hostJar, "/jobs/" + job + ".jar is not mounted");
            assertEquals("./jobs/" + job + "/target/" + job + "-" + projectVersion() + ".jar", hostJar,
                    "the shaded jar of this version");
        }
        assertEquals(JOBS.size(), mounted.size(), "a mounted jar that is not a job: " + mounted.keySet());
    }

    @Test
    void flinkImagesAreThisFlinkVersionOnJava17() {
        String expected = "flink:" + EnvironmentInformation.getVersion() + "-scala_2.12-java17";
        for (String service : List.of("flink-data", "jobmanager", "taskmanager")) {
            assertEquals(expected, compose.at("/services/" + service + "/image").asText(), service);
        }
    }

    @Test
    void flinkContainersUseFlinkConfAndPublishItsPorts() {
        for (String service : List.of("jobmanager", "taskmanager")) {
            JsonNode node = compose.at("/services/" + service);
            assertTrue(node.path("volumes").toString().contains("./flink-conf:/flink-conf:ro"), service + " mounts flink-conf/");
            assertTrue(node.path("entrypoint").toString().contains("cp /flink-conf/config.yaml /opt/flink/conf/config.yaml"),
                    service + " starts from flink-conf/config.yaml");
            assertEquals("jobmanager", node.at("/environment/JOB_MANAGER_RPC_ADDRESS").asText(), service);
        }
        assertEquals("jobmanager", flinkConf.getString("jobmanager.rpc.address", null), "the JobManager's service name");
        String restPort = flinkConf.getString("rest.port", null);
        String prometheusPort = flinkConf.getString("metrics.reporter.prom.port", null);
        assertTrue(containerPorts("jobmanager").contains(restPort), "the web UI port " + restPort + " is published");
        assertTrue(containerPorts("jobmanager").contains(prometheusPort), "Prometheus port " + prometheusPort + " (JobManager)");
        assertTrue(containerPorts("taskmanager").contains(prometheusPort), "Prometheus port " + prometheusPort + " (TaskManager)");
    }

    @Test
    void checkpointsAndSavepointsGoToTheSharedVolume() {
        String volumeMount = "flink-data:/flink-data";
        for (String service : List.of("jobmanager", "taskmanager", "flink-data")) {
            assertTrue(compose.at("/services/" + service + "/volumes").toString().contains(volumeMount), service);
        }
        assertTrue(flinkConf.getString("execution.checkpointing.dir", "").startsWith("file:///flink-data/"));
        assertTrue(flinkConf.getString("execution.checkpointing.savepoint-dir", "").startsWith("file:///flink-data/"));
    }

    @Test
    void flinkConfIsTheProductionSetUpTheIssueAsksFor() throws Exception {
        assertEquals("EXACTLY_ONCE", flinkConf.getString("execution.checkpointing.mode", null));
        assertEquals("rocksdb", flinkConf.getString("state.backend.type", null));
        assertEquals("true", flinkConf.getString("execution.checkpointing.incremental", null));
        assertEquals("exponential-delay", flinkConf.getString("restart-strategy.type", null));
        assertEquals("RETAIN_ON_CANCELLATION", flinkConf.getString("execution.checkpointing.externalized-checkpoint-retention", null));
        // a stuck checkpoint must fail before the sink's 2-minute lock timeout expires under it
        Duration timeout = org.apache.flink.util.TimeUtils.parseDuration(flinkConf.getString("execution.checkpointing.timeout", null));
        assertTrue(timeout.compareTo(Duration.ofMinutes(2)) < 0, "checkpoint timeout " + timeout);
        // the reporter named in the file exists in this Flink version
        Class.forName(flinkConf.getString("metrics.reporter.prom.factory.class", null));
        // the JVM options Flink needs on Java 17, because this file replaces the image's
        assertTrue(flinkConf.getString("env.java.opts.all", "").contains("--add-opens=java.base/java.util=ALL-UNNAMED"));
        // enough slots for every job at the default parallelism of 1
        assertTrue(Integer.parseInt(flinkConf.getString("taskmanager.numberOfTaskSlots", "1")) >= JOBS.size());
    }

    @Test
    void postgresAllowsPreparedTransactionsAndMigrateAppliesTheSchemaThere() {
        String command = compose.at("/services/postgres/command").toString();
        Matcher prepared = Pattern.compile("max_prepared_transactions=(\\d+)").matcher(command);
        assertTrue(prepared.find() && Integer.parseInt(prepared.group(1)) > 0, command);
        assertTrue(Pattern.compile("max_connections=(\\d+)").matcher(command).find(), command);
        String db = compose.at("/services/postgres/environment/POSTGRES_DB").asText();
        String migrate = compose.at("/services/migrate/command").toString();
        assertTrue(migrate.contains("jdbc:postgresql://postgres:5432/" + db), migrate);
        assertTrue(compose.at("/services/migrate/volumes").toString()
                .contains("./sql/target/sql-" + projectVersion() + "-migrate.jar"), "the schema tool of this version");
    }

    @Test
    void kafkaTopicsServiceCreatesEveryTopicTheJobsReadByDefault() {
        String script = compose.at("/services/kafka-topics/command").toString();
        for (Map.Entry<String, CommandLine> job : JOBS.entrySet()) {
            for (String flag : List.of("input-topic", "orders-topic", "menu-topic", "inventory-topic", "output-topic")) {
                String topic = defaultValue(job.getValue(), flag);
                if (topic != null) {
                    assertTrue(script.contains("create " + topic + " "), job.getKey() + " --" + flag + " " + topic + " is not created");
                }
            }
        }
    }

    @Test
    void everyFlinkRunLineInTheReadmeParsesWithItsJobsFlagsAndPointsAtTheComposeServices() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        String deploy = section(readme, "## Deploy");
        // shell line continuations joined, so each command is one line
        Matcher run = Pattern.compile("docker compose exec jobmanager flink run -d (?:-s \\S+ )?/jobs/([a-z-]+)\\.jar([^\\n]*)")
                .matcher(deploy.replaceAll("\\\\\\n\\s*", " "));
        Set<String> covered = new TreeSet<>();
        while (run.find()) {
            String job = run.group(1);
            CommandLine commandLine = JOBS.get(job);
            assertNotNull(commandLine, "the README runs /jobs/" + job + ".jar, which is not a job");
            String[] args = run.group(2).trim().split("\\s+");
            ParsedArgs parsed;
            try {
                parsed = commandLine.parse(args);
            } catch (Exception e) {
                fail("README: flink run " + job + " " + String.join(" ", args) + " does not parse: " + e.getMessage());
                return;
            }
            assertEquals("kafka:9092", parsed.get(CommonFlags.BOOTSTRAP_SERVERS), job + ": the compose broker");
            String db = compose.at("/services/postgres/environment/POSTGRES_DB").asText();
            assertEquals("jdbc:postgresql://postgres:5432/" + db, parsed.get(CommonFlags.JDBC_URL), job + ": the compose database");
            covered.add(job);
        }
        assertEquals(new TreeSet<>(JOBS.keySet()), covered, "the README's Deploy section has a flink run line for every job");
    }

    // ---- helpers ----

    private static Set<String> containerPorts(String service) {
        Set<String> ports = new TreeSet<>();
        compose.at("/services/" + service + "/ports").forEach(p -> {
            String[] parts = p.asText().split(":");
            ports.add(parts[parts.length - 1]);
        });
        return ports;
    }

    /** A flag's default as the job's --help prints it; null when the job has no such flag. */
    private static String defaultValue(CommandLine commandLine, String flagName) {
        Matcher m = Pattern.compile("--" + Pattern.quote(flagName) + " [^\\n]*\\(default: ([^)\\s]+)\\)").matcher(commandLine.usage());
        return m.find() ? m.group(1) : null;
    }

    private static String section(String markdown, String heading) {
        int start = markdown.indexOf("\n" + heading + "\n");
        assertFalse(start < 0, "README has no '" + heading + "' section");
        int end = markdown.indexOf("\n## ", start + heading.length() + 2);
        return markdown.substring(start, end < 0 ? markdown.length() : end);
    }

    private static String projectVersion() {
        try {
            String pom = Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("<artifactId>flink-pipelines</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
            assertTrue(m.find(), "version in the root pom");
            return m.group(1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
