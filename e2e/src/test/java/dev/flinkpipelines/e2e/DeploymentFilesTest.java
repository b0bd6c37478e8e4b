package dev.flinkpipelines.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of docker-compose.yml, .env.example and flink-conf/ without a Docker engine:
 * the files parse; every file they mount exists (after {@code mvn package}); ports, directories,
 * image versions and topic names agree with flink-conf/config.yaml, the build and the jobs; the
 * hardening of issue 15 holds (published ports on a {@code *_BIND} address defaulting to 127.0.0.1,
 * passwords only as secret files from variables .env.example lists, the jobs connecting as
 * flink_pipelines and never as the superuser, Kafka's data on a volume, a scalable TaskManager,
 * restart policies); and every {@code flink run} line in the README's Deploy section (and the one
 * in docker-compose.yml's header) names a mounted jar and parses with that job's own flags.
 */
class DeploymentFilesTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** Each job's name -> its command line, as flink run sees it. */
    private static final Map<String, CommandLine> JOBS = jobCommandLines();

    /** The login user the jobs connect as (db-user's default), and the file its password is in. */
    private static final String JOBS_DB_USER = "flink_pipelines";

    private static final String JOBS_DB_PASSWORD_SECRET = "flink_pipelines_db_password";

    /** The superuser's password secret: migrate, db-user and postgres only. */
    private static final String ADMIN_PASSWORD_SECRET = "postgres_admin_password";

    /** {@code ${X_BIND:-127.0.0.1}}: a host address .env can change, this machine by default. */
    private static final Pattern BIND_VARIABLE =
            Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*_BIND):-127\\.0\\.0\\.1}");

    /**
     * A variable compose interpolates, {@code ${VAR...}} or {@code $VAR}; {@code $$} is a literal
     * dollar.
     */
    private static final Pattern COMPOSE_VARIABLE =
            Pattern.compile("(?<!\\$)\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))");

    private static JsonNode compose;
    private static String composeText;
    private static Configuration flinkConf;

    /**
     * Each job's name -> its command line, as flink run sees it (also for KubernetesManifestsTest).
     */
    static Map<String, CommandLine> jobCommandLines() {
        Map<String, CommandLine> jobs = new LinkedHashMap<>();
        jobs.put(UserEventsJob.NAME, UserEventsJob.commandLine());
        jobs.put(OrdersJob.NAME, OrdersJob.commandLine());
        jobs.put(KpiJob.NAME, KpiJob.commandLine());
        jobs.put(DrinkShopJob.NAME, DrinkShopJob.commandLine());
        jobs.put(VideoViewsJob.NAME, VideoViewsJob.commandLine());
        return jobs;
    }

    @BeforeAll
    static void load() throws IOException {
        composeText = Files.readString(ROOT.resolve("docker-compose.yml"), StandardCharsets.UTF_8);
        compose = new YAMLMapper().readTree(composeText);
        flinkConf = GlobalConfiguration.loadConfiguration(ROOT.resolve("flink-conf").toString());
    }

    @Test
    void composeHasEveryServiceOfTheDeployment() {
        Set<String> services = new TreeSet<>();
        compose.path("services").fieldNames().forEachRemaining(services::add);
        assertEquals(
                new TreeSet<>(
                        List.of(
                                "kafka",
                                "kafka-topics",
                                "postgres",
                                "migrate",
                                "db-user",
                                "flink-data",
                                "jobmanager",
                                "taskmanager",
                                "prometheus",
                                "grafana")),
                services);
    }

    // ---- issue 15: the hardened stack ----

    @Test
    void everyPublishedPortListensOnABindVariableThatDefaultsToThisMachine() {
        List<PublishedPort> ports = publishedPorts();
        assertTrue(
                ports.size() >= 7,
                "kafka, postgres, the JobManager's two, the TaskManager's, Prometheus and Grafana: "
                        + ports);
        for (PublishedPort port : ports) {
            assertTrue(
                    port.hostIp() != null && BIND_VARIABLE.matcher(port.hostIp()).matches(),
                    port
                            + ": publish it as \"${X_BIND:-127.0.0.1}:HOST:CONTAINER\", never on every interface");
        }
    }

    @Test
    void noServiceEnvironmentHoldsAPassword() {
        for (Map.Entry<String, JsonNode> service : services().entrySet()) {
            Set<String> secretFiles = secretMounts(service.getValue()).keySet();
            environment(service.getValue())
                    .forEach(
                            (name, value) -> {
                                if (name.matches("(?i).*(PASS|SECRET|TOKEN).*")) {
                                    String where = service.getKey() + " environment " + name;
                                    assertTrue(
                                            name.endsWith("_FILE"),
                                            where
                                                    + ": a password reaches a container as a secret file, never as a value");
                                    assertTrue(
                                            secretFiles.contains(value),
                                            where
                                                    + " = "
                                                    + value
                                                    + ": not one of the service's secrets "
                                                    + secretFiles);
                                }
                            });
        }
    }

    @Test
    void noCommandCarriesAPassword() {
        List<String> offending = new ArrayList<>();
        Pattern assignment = Pattern.compile("(?i)\\b\\w*PASS\\w*=(\"[^\"]*\"|\\S*)");
        for (Map.Entry<String, JsonNode> service : services().entrySet()) {
            for (String field : List.of("command", "entrypoint", "healthcheck")) {
                texts(
                        service.getValue().path(field),
                        text -> {
                            for (String token : text.split("[\\s\"',\\[\\]]+")) {
                                if (token.equals("--jdbc-password")
                                        || token.startsWith("--jdbc-password=")
                                        || token.equals("--password")) {
                                    offending.add(service.getKey() + " " + field + ": " + token);
                                }
                            }
                            Matcher m = assignment.matcher(text);
                            while (m.find()) {
                                // e.g. PGPASSWORD="$$(cat /run/secrets/...)": read from the secret
                                // file at run time
                                if (!m.group(1)
                                        .matches("\"?\\$\\$\\(cat /run/secrets/[a-z_]+\\)\"?")) {
                                    offending.add(
                                            service.getKey() + " " + field + ": " + m.group());
                                }
                            }
                        });
            }
        }
        assertEquals(
                List.of(),
                offending,
                "a password on a command line shows in ps, docker inspect and logs");
    }

    @Test
    void everySecretComesFromAVariableThatEnvExampleLists() throws IOException {
        Set<String> listed = envExampleVariables();
        JsonNode secrets = compose.path("secrets");
        assertTrue(secrets.size() >= 2, "the superuser's and the jobs' passwords");
        secrets.fields()
                .forEachRemaining(
                        secret -> {
                            String variable = secret.getValue().path("environment").asText(null);
                            assertNotNull(
                                    variable,
                                    "secret "
                                            + secret.getKey()
                                            + ": from a variable of .env (environment:), not a file in the tree");
                            assertTrue(
                                    listed.contains(variable),
                                    "secret "
                                            + secret.getKey()
                                            + ": "
                                            + variable
                                            + " is not in .env.example");
                        });
        Set<String> used = new TreeSet<>();
        services()
                .forEach(
                        (name, service) ->
                                secretMounts(service)
                                        .values()
                                        .forEach(
                                                secret -> {
                                                    assertTrue(
                                                            secrets.has(secret),
                                                            name
                                                                    + " mounts secret "
                                                                    + secret
                                                                    + ", which compose does not define");
                                                    used.add(secret);
                                                }));
        Set<String> defined = new TreeSet<>();
        secrets.fieldNames().forEachRemaining(defined::add);
        assertEquals(defined, used, "every secret is mounted somewhere");
    }

    @Test
    void composeRefusesToStartWithoutEveryPassword() {
        String required = compose.path("x-required-variables").toString();
        compose.path("secrets")
                .forEach(
                        secret -> {
                            String variable = secret.path("environment").asText();
                            assertTrue(
                                    required.contains("${" + variable + ":?"),
                                    variable
                                            + " is not in x-required-variables as ${"
                                            + variable
                                            + ":?...}");
                        });
    }

    @Test
    void everyVariableComposeUsesIsInEnvExample() throws IOException {
        Set<String> missing = new TreeSet<>(composeVariables());
        missing.removeAll(envExampleVariables());
        assertEquals(
                Set.of(),
                missing,
                "variables docker-compose.yml reads that .env.example does not list (as VAR= or #VAR=)");
    }

    @Test
    void everyVariableEnvExampleListsIsUsedByCompose() throws IOException {
        Set<String> unused = new TreeSet<>(envExampleVariables());
        unused.removeAll(composeVariables());
        assertEquals(
                Set.of(), unused, ".env.example lists variables docker-compose.yml never reads");
    }

    @Test
    void theSchemaIsMigratedAsTheSuperuser() {
        String admin = environment(service("postgres")).get("POSTGRES_USER");
        assertEquals(
                "${POSTGRES_ADMIN_USER:-postgres}", admin, "postgres' superuser, named in .env");
        assertEquals(
                "/run/secrets/" + ADMIN_PASSWORD_SECRET,
                environment(service("postgres")).get("POSTGRES_PASSWORD_FILE"));
        List<String> migrate = strings(service("migrate").path("command"));
        assertEquals(admin, valueAfter(migrate, "--jdbc-user"), "migrate runs as the superuser");
        assertEquals(
                "/run/secrets/" + ADMIN_PASSWORD_SECRET,
                valueAfter(migrate, "--jdbc-password-file"));
        assertTrue(
                secretMounts(service("migrate")).containsValue(ADMIN_PASSWORD_SECRET),
                "migrate mounts the superuser's password");
        assertEquals(
                admin,
                environment(service("db-user")).get("PGUSER"),
                "db-user creates the jobs' user as the superuser");
    }

    @Test
    void theJobsUserIsAWriterAndNotTheSuperuser() throws IOException {
        Map<String, String> dbUser = environment(service("db-user"));
        assertEquals(
                "${FLINK_PIPELINES_DB_USER:-" + JOBS_DB_USER + "}",
                dbUser.get("FLINK_PIPELINES_DB_USER"));
        String admin = environment(service("postgres")).get("POSTGRES_USER");
        Matcher adminDefault = Pattern.compile("\\$\\{(\\w+):-(\\w+)}").matcher(admin);
        assertTrue(adminDefault.matches(), "the superuser: a variable with a default, " + admin);
        assertNotEquals(JOBS_DB_USER, adminDefault.group(2), "the jobs' user is not the superuser");
        assertNotEquals(
                "FLINK_PIPELINES_DB_USER", adminDefault.group(1), "nor named by the same variable");
        String script = service("db-user").path("command").toString();
        assertTrue(
                script.contains("NOSUPERUSER")
                        && script.contains("NOCREATEROLE")
                        && script.contains("NOCREATEDB"),
                script);
        assertTrue(
                script.contains("GRANT flink_pipelines_writer TO"),
                "db-user makes the jobs' user a member of the writer role");
        assertTrue(
                script.contains("/run/secrets/" + JOBS_DB_PASSWORD_SECRET),
                "its password from the jobs' secret");
        assertTrue(
                secretMounts(service("db-user")).containsValue(JOBS_DB_PASSWORD_SECRET),
                "db-user mounts the jobs' password");
        String v8 =
                Files.readString(
                        ROOT.resolve("sql/migrations/V8__writer_role.sql"), StandardCharsets.UTF_8);
        assertTrue(
                v8.contains("CREATE ROLE flink_pipelines_writer NOLOGIN"),
                "V8 creates the writer group role");
        // db-user's run: migrate (V8, the writer role) first
        assertEquals(
                "service_completed_successfully",
                service("db-user").at("/depends_on/migrate/condition").asText());
    }

    // ---- issue 16: Prometheus and Grafana, provisioned from monitoring/ ----

    @Test
    void prometheusReadsItsConfigAndRulesFromMonitoring() throws IOException {
        JsonNode prometheus = service("prometheus");
        assertTrue(
                prometheus.path("image").asText().startsWith("prom/prometheus:v"),
                "the official image, pinned");
        assertTrue(
                strings(prometheus.path("volumes"))
                        .contains("./monitoring/prometheus:/etc/prometheus:ro"),
                "monitoring/prometheus (prometheus.yml, alerts.yml) mounted where --config.file looks");
        assertTrue(
                strings(prometheus.path("command"))
                        .contains("--config.file=/etc/prometheus/prometheus.yml"));
        assertTrue(
                strings(prometheus.path("volumes")).stream()
                        .anyMatch(
                                v ->
                                        v.endsWith(":/prometheus")
                                                && compose.path("volumes").has(v.split(":")[0])),
                "its time series on a named volume");

        JsonNode config =
                new YAMLMapper()
                        .readTree(ROOT.resolve("monitoring/prometheus/prometheus.yml").toFile());
        int metricsPort = Integer.parseInt(flinkConf.getString("metrics.reporter.prom.port", "-1"));
        Map<String, JsonNode> scrapes = new LinkedHashMap<>();
        config.path("scrape_configs")
                .forEach(scrape -> scrapes.put(scrape.path("job_name").asText(), scrape));
        assertEquals(
                List.of("jobmanager:" + metricsPort),
                strings(scrapes.get("flink-jobmanager").at("/static_configs/0/targets")),
                "the JobManager's reporter port of flink-conf/config.yaml, at its compose service name");
        JsonNode taskManagers = scrapes.get("flink-taskmanager").at("/dns_sd_configs/0");
        assertEquals(
                List.of("taskmanager"),
                strings(taskManagers.path("names")),
                "every replica of the taskmanager service, found through Docker's DNS (--scale taskmanager=N)");
        assertEquals(metricsPort, taskManagers.path("port").asInt());
        for (String rules : strings(config.path("rule_files"))) {
            assertTrue(
                    Files.exists(ROOT.resolve("monitoring/prometheus").resolve(rules)),
                    "rule file " + rules);
        }
    }

    @Test
    void grafanaIsProvisionedFromMonitoringAndReadsAsTheReaderRole() throws IOException {
        JsonNode grafana = service("grafana");
        assertTrue(
                grafana.path("image").asText().startsWith("grafana/grafana:1"),
                "the official image, pinned");
        List<String> volumes = strings(grafana.path("volumes"));
        assertTrue(
                volumes.contains("./monitoring/grafana/provisioning:/etc/grafana/provisioning:ro"),
                volumes.toString());
        JsonNode providers =
                new YAMLMapper()
                        .readTree(
                                ROOT.resolve(
                                                "monitoring/grafana/provisioning/dashboards/dashboards.yml")
                                        .toFile());
        String dashboardsPath = providers.at("/providers/0/options/path").asText();
        assertTrue(
                volumes.contains("./monitoring/grafana/dashboards:" + dashboardsPath + ":ro"),
                "the dashboards provider reads "
                        + dashboardsPath
                        + ", where monitoring/grafana/dashboards is mounted: "
                        + volumes);
        Map<String, String> env = environment(grafana);
        String home = env.get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
        assertTrue(
                home.startsWith(dashboardsPath + "/")
                        && Files.exists(
                                ROOT.resolve("monitoring/grafana/dashboards")
                                        .resolve(home.substring(dashboardsPath.length() + 1))),
                "home dashboard " + home);
        assertEquals("false", env.get("GF_AUTH_ANONYMOUS_ENABLED"));
        assertEquals("false", env.get("GF_USERS_ALLOW_SIGN_UP"));

        // the PostgreSQL datasource logs in as db-user's reader, with the password of the secret
        // mounted here
        String datasources =
                Files.readString(
                        ROOT.resolve("monitoring/grafana/provisioning/datasources/datasources.yml"),
                        StandardCharsets.UTF_8);
        assertTrue(
                datasources.contains("user: ${GRAFANA_DB_USER}"),
                "the datasource's user comes from the environment");
        assertEquals(
                environment(service("db-user")).get("GRAFANA_DB_USER"),
                env.get("GRAFANA_DB_USER"),
                "Grafana logs in as the user db-user creates");
        Matcher passwordFile =
                Pattern.compile("\\$__file\\{(/run/secrets/[a-z_]+)}").matcher(datasources);
        assertTrue(passwordFile.find(), "the datasource's password from a secret file");
        assertEquals("grafana_db_password", secretMounts(grafana).get(passwordFile.group(1)));
        assertFalse(
                secretMounts(grafana).containsValue(ADMIN_PASSWORD_SECRET),
                "Grafana must not see the superuser's password");
        assertFalse(
                secretMounts(grafana).containsValue(JOBS_DB_PASSWORD_SECRET),
                "nor the jobs' password");

        String script = service("db-user").path("command").toString();
        assertTrue(
                script.contains("GRANT flink_pipelines_reader TO"),
                "db-user makes Grafana's user a member of the reader role");
        assertTrue(
                script.contains("default_transaction_read_only = on"),
                "every session of Grafana's user is read-only");
        String v9 =
                Files.readString(
                        ROOT.resolve("sql/migrations/V9__reader_role.sql"), StandardCharsets.UTF_8);
        assertTrue(
                v9.contains("CREATE ROLE flink_pipelines_reader NOLOGIN"),
                "V9 creates the reader group role");
        assertEquals(
                "service_completed_successfully",
                grafana.at("/depends_on/db-user/condition").asText(),
                "Grafana starts once its database user exists");
    }

    @Test
    void theFlinkContainersHaveTheJobsPasswordAndNotTheSuperusers() {
        for (String name : List.of("jobmanager", "taskmanager")) {
            Map<String, String> secrets = secretMounts(service(name));
            assertEquals(
                    JOBS_DB_PASSWORD_SECRET,
                    secrets.get("/run/secrets/" + JOBS_DB_PASSWORD_SECRET),
                    name
                            + ": the preflight check (JobManager) and the sinks (TaskManager) read the jobs' password there");
            assertFalse(
                    secrets.containsValue(ADMIN_PASSWORD_SECRET),
                    name + " must not see the superuser's password");
        }
        assertEquals(
                "service_completed_successfully",
                service("jobmanager").at("/depends_on/db-user/condition").asText(),
                "the JobManager starts once the jobs' user exists");
    }

    @Test
    void kafkaKeepsItsTopicsOnANamedVolume() {
        String logDirs = environment(service("kafka")).get("KAFKA_LOG_DIRS");
        assertNotNull(
                logDirs, "KAFKA_LOG_DIRS stated: the image's default is in /tmp of the container");
        Map<String, String> mounts = new LinkedHashMap<>();
        service("kafka")
                .path("volumes")
                .forEach(
                        v -> {
                            String[] parts = v.asText().split(":");
                            mounts.put(parts[1], parts[0]);
                        });
        for (String dir : logDirs.split(",")) {
            String volume = mounts.get(dir.trim());
            assertNotNull(volume, "KAFKA_LOG_DIRS " + dir + " is not a mounted volume: " + mounts);
            assertTrue(
                    compose.path("volumes").has(volume),
                    volume + " is a named volume of the stack, not a host directory");
        }
    }

    @Test
    void theTaskManagerScales() {
        JsonNode taskmanager = service("taskmanager");
        assertTrue(
                taskmanager.path("container_name").isMissingNode(),
                "a container_name allows one replica only");
        for (PublishedPort port : publishedPorts()) {
            if (port.service().equals("taskmanager")) {
                assertEquals(
                        "",
                        port.hostPort(),
                        port + ": a fixed host port allows one replica only; leave it to Docker");
            }
        }
    }

    @Test
    void everyLongRunningServiceRestarts() {
        // one-shot services are those another waits for to complete; every other service runs for
        // good
        Set<String> oneShot = new TreeSet<>();
        services()
                .values()
                .forEach(
                        service ->
                                service.path("depends_on")
                                        .fields()
                                        .forEachRemaining(
                                                dependency -> {
                                                    if (dependency
                                                            .getValue()
                                                            .path("condition")
                                                            .asText()
                                                            .equals(
                                                                    "service_completed_successfully")) {
                                                        oneShot.add(dependency.getKey());
                                                    }
                                                }));
        Set<String> longRunning = new TreeSet<>(services().keySet());
        longRunning.removeAll(oneShot);
        assertEquals(
                new TreeSet<>(
                        List.of(
                                "kafka",
                                "postgres",
                                "jobmanager",
                                "taskmanager",
                                "prometheus",
                                "grafana")),
                longRunning);
        for (String name : longRunning) {
            String restart = service(name).path("restart").asText("");
            assertTrue(
                    restart.equals("unless-stopped") || restart.equals("always"),
                    name + " restart: '" + restart + "'");
        }
        for (String name : oneShot) {
            String restart = service(name).path("restart").asText("no");
            assertTrue(
                    restart.equals("no") || restart.equals("on-failure"),
                    name + " runs once; restart " + restart + " would rerun it forever");
        }
    }

    @Test
    void everyFileComposeMountsExists() {
        List<String> missing = new ArrayList<>();
        compose.path("services")
                .forEach(
                        service ->
                                service.path("volumes")
                                        .forEach(
                                                volume -> {
                                                    String hostPath = volume.asText().split(":")[0];
                                                    if (hostPath.startsWith("./")
                                                            && !Files.exists(
                                                                    ROOT.resolve(hostPath))) {
                                                        missing.add(hostPath);
                                                    }
                                                }));
        assertEquals(
                List.of(),
                missing,
                "docker-compose.yml mounts files that the build does not produce");
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
            assertEquals(
                    "./jobs/" + job + "/target/" + job + "-" + projectVersion() + ".jar",
                    hostJar,
                    "the shaded jar of this version");
        }
        assertEquals(
                JOBS.size(),
                mounted.size(),
                "a mounted jar that is not a job: " + mounted.keySet());
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
            assertTrue(
                    node.path("volumes").toString().contains("./flink-conf:/flink-conf:ro"),
                    service + " mounts flink-conf/");
            assertTrue(
                    node.path("entrypoint")
                            .toString()
                            .contains("cp /flink-conf/config.yaml /opt/flink/conf/config.yaml"),
                    service + " starts from flink-conf/config.yaml");
            assertEquals(
                    "jobmanager",
                    node.at("/environment/JOB_MANAGER_RPC_ADDRESS").asText(),
                    service);
        }
        assertEquals(
                "jobmanager",
                flinkConf.getString("jobmanager.rpc.address", null),
                "the JobManager's service name");
        String restPort = flinkConf.getString("rest.port", null);
        String prometheusPort = flinkConf.getString("metrics.reporter.prom.port", null);
        assertTrue(
                containerPorts("jobmanager").contains(restPort),
                "the web UI port " + restPort + " is published");
        assertTrue(
                containerPorts("jobmanager").contains(prometheusPort),
                "Prometheus port " + prometheusPort + " (JobManager)");
        assertTrue(
                containerPorts("taskmanager").contains(prometheusPort),
                "Prometheus port " + prometheusPort + " (TaskManager)");
    }

    @Test
    void checkpointsAndSavepointsGoToTheSharedVolume() {
        String volumeMount = "flink-data:/flink-data";
        for (String service : List.of("jobmanager", "taskmanager", "flink-data")) {
            assertTrue(
                    compose.at("/services/" + service + "/volumes")
                            .toString()
                            .contains(volumeMount),
                    service);
        }
        assertTrue(
                flinkConf
                        .getString("execution.checkpointing.dir", "")
                        .startsWith("file:///flink-data/"));
        assertTrue(
                flinkConf
                        .getString("execution.checkpointing.savepoint-dir", "")
                        .startsWith("file:///flink-data/"));
    }

    @Test
    void flinkConfIsTheProductionSetUpTheIssueAsksFor() throws Exception {
        assertEquals("EXACTLY_ONCE", flinkConf.getString("execution.checkpointing.mode", null));
        assertEquals("rocksdb", flinkConf.getString("state.backend.type", null));
        assertEquals("true", flinkConf.getString("execution.checkpointing.incremental", null));
        assertEquals("exponential-delay", flinkConf.getString("restart-strategy.type", null));
        assertEquals(
                "RETAIN_ON_CANCELLATION",
                flinkConf.getString(
                        "execution.checkpointing.externalized-checkpoint-retention", null));
        // a stuck checkpoint must fail before the sink's 2-minute lock timeout expires under it
        Duration timeout =
                org.apache.flink.util.TimeUtils.parseDuration(
                        flinkConf.getString("execution.checkpointing.timeout", null));
        assertTrue(timeout.compareTo(Duration.ofMinutes(2)) < 0, "checkpoint timeout " + timeout);
        // the reporter named in the file exists in this Flink version
        Class.forName(flinkConf.getString("metrics.reporter.prom.factory.class", null));
        // the JVM options Flink needs on Java 17, because this file replaces the image's
        assertTrue(
                flinkConf
                        .getString("env.java.opts.all", "")
                        .contains("--add-opens=java.base/java.util=ALL-UNNAMED"));
        // enough slots for every job at the default parallelism of 1
        assertTrue(
                Integer.parseInt(flinkConf.getString("taskmanager.numberOfTaskSlots", "1"))
                        >= JOBS.size());
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
        assertTrue(
                compose.at("/services/migrate/volumes")
                        .toString()
                        .contains("./sql/target/sql-" + projectVersion() + "-migrate.jar"),
                "the schema tool of this version");
    }

    @Test
    void kafkaTopicsServiceCreatesEveryTopicTheJobsReadByDefault() {
        String script = compose.at("/services/kafka-topics/command").toString();
        for (Map.Entry<String, CommandLine> job : JOBS.entrySet()) {
            for (String flag :
                    List.of(
                            "input-topic",
                            "orders-topic",
                            "menu-topic",
                            "inventory-topic",
                            "output-topic")) {
                String topic = defaultValue(job.getValue(), flag);
                if (topic != null) {
                    assertTrue(
                            script.contains("create " + topic + " "),
                            job.getKey() + " --" + flag + " " + topic + " is not created");
                }
            }
        }
    }

    @Test
    void everyFlinkRunLineInTheReadmeParsesWithItsJobsFlagsAndPointsAtTheComposeServices()
            throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        Set<String> covered = checkFlinkRunLines("README", section(readme, "## Deploy"));
        assertEquals(
                new TreeSet<>(JOBS.keySet()),
                covered,
                "the README's Deploy section has a flink run line for every job");
    }

    @Test
    void theFlinkRunLineInComposesHeaderParsesAndPointsAtTheComposeServices() throws Exception {
        StringBuilder header = new StringBuilder();
        for (String line : composeText.split("\n")) {
            if (!line.startsWith("#")) {
                break;
            }
            header.append(line.replaceFirst("^#\\s?", "")).append('\n');
        }
        assertFalse(
                checkFlinkRunLines("docker-compose.yml", header.toString()).isEmpty(),
                "the header shows a flink run line");
    }

    /**
     * Every {@code docker compose exec jobmanager flink run} line in {@code text}: it parses with
     * its job's flags, points at the compose broker and database, and connects as the jobs' user
     * with the password from its secret file, never as a flag. Returns the jobs it ran.
     */
    private static Set<String> checkFlinkRunLines(String source, String text) {
        // shell line continuations joined, so each command is one line
        Matcher run =
                Pattern.compile(
                                "docker compose exec jobmanager flink run -d (?:-s \\S+ )?/jobs/([a-z-]+)\\.jar([^\\n]*)")
                        .matcher(text.replaceAll("\\\\\\n\\s*", " "));
        String db = environment(service("postgres")).get("POSTGRES_DB");
        Set<String> covered = new TreeSet<>();
        while (run.find()) {
            String job = run.group(1);
            CommandLine commandLine = JOBS.get(job);
            assertNotNull(commandLine, source + " runs /jobs/" + job + ".jar, which is not a job");
            String[] args = run.group(2).trim().split("\\s+");
            ParsedArgs parsed;
            try {
                parsed = commandLine.parse(args);
            } catch (Exception e) {
                fail(
                        source
                                + ": flink run "
                                + job
                                + " "
                                + String.join(" ", args)
                                + " does not parse: "
                                + e.getMessage());
                return covered;
            }
            assertEquals(
                    "kafka:9092",
                    parsed.get(CommonFlags.BOOTSTRAP_SERVERS),
                    source + " " + job + ": the compose broker");
            assertEquals(
                    "jdbc:postgresql://postgres:5432/" + db,
                    parsed.get(CommonFlags.JDBC_URL),
                    source + " " + job + ": the compose database");
            assertEquals(
                    JOBS_DB_USER,
                    parsed.get(CommonFlags.JDBC_USER),
                    source + " " + job + ": the jobs' user, not the superuser");
            assertNull(
                    parsed.get(CommonFlags.JDBC_PASSWORD),
                    source + " " + job + ": no --jdbc-password (ps, shell history, client log)");
            String passwordFile = parsed.get(CommonFlags.JDBC_PASSWORD_FILE);
            assertEquals(
                    "/run/secrets/" + JOBS_DB_PASSWORD_SECRET,
                    passwordFile,
                    source + " " + job + ": the jobs' password file");
            for (String flink : List.of("jobmanager", "taskmanager")) {
                assertTrue(
                        secretMounts(service(flink)).containsKey(passwordFile),
                        source + " " + job + ": " + flink + " has " + passwordFile);
            }
            covered.add(job);
        }
        return covered;
    }

    // ---- helpers ----

    private static Set<String> containerPorts(String service) {
        Set<String> ports = new TreeSet<>();
        for (PublishedPort port : publishedPorts()) {
            if (port.service().equals(service)) {
                ports.add(port.containerPort());
            }
        }
        return ports;
    }

    /**
     * One entry of a service's {@code ports:}; hostIp null when none is given (every interface).
     */
    record PublishedPort(String service, String hostIp, String hostPort, String containerPort) {}

    /**
     * Every published port of every service, short syntax ({@code [IP:][HOST:]CONTAINER[/proto]})
     * or long.
     */
    private static List<PublishedPort> publishedPorts() {
        List<PublishedPort> ports = new ArrayList<>();
        services()
                .forEach(
                        (name, service) ->
                                service.path("ports")
                                        .forEach(
                                                entry -> {
                                                    if (entry.isObject()) {
                                                        ports.add(
                                                                new PublishedPort(
                                                                        name,
                                                                        entry.path("host_ip")
                                                                                .asText(null),
                                                                        entry.path("published")
                                                                                .asText(""),
                                                                        entry.path("target")
                                                                                .asText()));
                                                        return;
                                                    }
                                                    String spec =
                                                            entry.asText()
                                                                    .replaceFirst(
                                                                            "/(tcp|udp)$", "");
                                                    String hostIp = null;
                                                    if (spec.startsWith("${")) {
                                                        int end = spec.indexOf('}');
                                                        hostIp = spec.substring(0, end + 1);
                                                        spec = spec.substring(end + 2);
                                                    }
                                                    String[] parts = spec.split(":", -1);
                                                    if (parts.length == 3) {
                                                        hostIp = parts[0];
                                                        ports.add(
                                                                new PublishedPort(
                                                                        name, hostIp, parts[1],
                                                                        parts[2]));
                                                    } else if (parts.length == 2) {
                                                        ports.add(
                                                                new PublishedPort(
                                                                        name, hostIp, parts[0],
                                                                        parts[1]));
                                                    } else {
                                                        ports.add(
                                                                new PublishedPort(
                                                                        name, hostIp, "",
                                                                        parts[0]));
                                                    }
                                                }));
        return ports;
    }

    private static Map<String, JsonNode> services() {
        Map<String, JsonNode> services = new LinkedHashMap<>();
        compose.path("services")
                .fields()
                .forEachRemaining(e -> services.put(e.getKey(), e.getValue()));
        return services;
    }

    private static JsonNode service(String name) {
        JsonNode service = compose.path("services").path(name);
        assertFalse(service.isMissingNode(), "docker-compose.yml has no service " + name);
        return service;
    }

    /** A service's environment, map or {@code KEY=VALUE} list form. */
    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode node = service.path("environment");
        if (node.isArray()) {
            node.forEach(
                    e -> {
                        String[] kv = e.asText().split("=", 2);
                        env.put(kv[0], kv.length > 1 ? kv[1] : null);
                    });
        } else {
            node.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        return env;
    }

    /** The secret files a service gets: path in the container -> secret name. */
    private static Map<String, String> secretMounts(JsonNode service) {
        Map<String, String> mounts = new LinkedHashMap<>();
        service.path("secrets")
                .forEach(
                        s -> {
                            String source = s.isObject() ? s.path("source").asText() : s.asText();
                            String target = s.isObject() ? s.path("target").asText(source) : source;
                            mounts.put(
                                    target.startsWith("/") ? target : "/run/secrets/" + target,
                                    source);
                        });
        return mounts;
    }

    /** Every text in a node, field names included. */
    private static void texts(JsonNode node, Consumer<String> out) {
        if (node.isValueNode()) {
            out.accept(node.asText());
        }
        node.fields()
                .forEachRemaining(
                        e -> {
                            out.accept(e.getKey());
                            texts(e.getValue(), out);
                        });
        if (node.isArray()) {
            node.forEach(child -> texts(child, out));
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static String valueAfter(List<String> args, String flag) {
        int i = args.indexOf(flag);
        assertTrue(i >= 0 && i + 1 < args.size(), flag + " in " + args);
        return args.get(i + 1);
    }

    /**
     * The variables docker-compose.yml reads: those it interpolates (comments are no part of the
     * parsed tree) and those its secrets come from.
     */
    private static Set<String> composeVariables() {
        Set<String> variables = new TreeSet<>();
        texts(
                compose,
                text -> {
                    Matcher m = COMPOSE_VARIABLE.matcher(text);
                    while (m.find()) {
                        variables.add(m.group(1) != null ? m.group(1) : m.group(2));
                    }
                });
        compose.path("secrets")
                .forEach(
                        secret -> {
                            if (secret.has("environment")) {
                                variables.add(secret.path("environment").asText());
                            }
                        });
        assertFalse(variables.isEmpty());
        return variables;
    }

    /**
     * The variables .env.example lists, set ({@code VAR=}) or commented out with their default
     * ({@code #VAR=}).
     */
    private static Set<String> envExampleVariables() throws IOException {
        Set<String> variables = new TreeSet<>();
        Matcher m =
                Pattern.compile("(?m)^#?([A-Za-z_][A-Za-z0-9_]*)=")
                        .matcher(
                                Files.readString(
                                        ROOT.resolve(".env.example"), StandardCharsets.UTF_8));
        while (m.find()) {
            variables.add(m.group(1));
        }
        return variables;
    }

    /** A flag's default as the job's --help prints it; null when the job has no such flag. */
    private static String defaultValue(CommandLine commandLine, String flagName) {
        Matcher m =
                Pattern.compile(
                                "--"
                                        + Pattern.quote(flagName)
                                        + " [^\\n]*\\(default: ([^)\\s]+)\\)")
                        .matcher(commandLine.usage());
        return m.find() ? m.group(1) : null;
    }

    private static String section(String markdown, String heading) {
        int start = markdown.indexOf("\n" + heading + "\n");
        assertFalse(start < 0, "README has no '" + heading + "' section");
        int end = markdown.indexOf("\n## ", start + heading.length() + 2);
        return markdown.substring(start, end < 0 ? markdown.length() : end);
    }

    static String projectVersion() {
        try {
            String pom = Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8);
            Matcher m =
                    Pattern.compile(
                                    "<artifactId>flink-pipelines</artifactId>\\s*<version>([^<]+)</version>")
                            .matcher(pom);
            assertTrue(m.find(), "version in the root pom");
            return m.group(1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
