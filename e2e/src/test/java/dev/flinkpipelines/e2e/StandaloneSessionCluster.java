package dev.flinkpipelines.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * A real standalone Flink session cluster on this machine: one JobManager process ({@code
 * StandaloneSessionClusterEntrypoint}) and TaskManager processes ({@code TaskManagerRunner}),
 * started the way {@code bin/jobmanager.sh} and {@code bin/taskmanager.sh} start them — memory
 * flags from {@code BashJavaUtils}, JVM options from the configuration's {@code env.java.opts.*} —
 * with a {@code lib/} directory built from Maven jars, because flink-dist is not on Maven Central.
 *
 * <p>The configuration is the project's {@code flink-conf/config.yaml} with only what one machine
 * needs changed (ports, addresses, directories), so the cluster the test runs is the one
 * docker-compose.yml deploys. {@link #flink} runs Flink's own CLI ({@code CliFrontend}) in a
 * separate JVM, as {@code bin/flink} does.
 */
final class StandaloneSessionCluster implements AutoCloseable {

    private static final String ENTRYPOINT =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final String CLI = "org.apache.flink.client.cli.CliFrontend";
    private static final String BASH_JAVA_UTILS =
            "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final Path lib;
    private final Configuration config;
    private final int restPort;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Thread killOnExit = new Thread(this::destroyAll, "kill-flink-cluster");
    private Process jobManager;
    private final List<Process> taskManagers = new ArrayList<>();
    private final Map<Process, String> taskManagerNames = new java.util.HashMap<>();
    private final Map<String, List<String>> resourceParams = new java.util.HashMap<>();
    private int taskManagersStarted;

    private StandaloneSessionCluster(Path home, Path lib, Configuration config, int restPort) {
        this.home = home;
        this.lib = lib;
        this.config = config;
        this.restPort = restPort;
    }

    /**
     * Writes {@code home/conf/config.yaml} from {@code confDir/config.yaml} with this machine's
     * ports, addresses and directories, then starts a JobManager and one TaskManager and waits
     * until the TaskManager's slots are registered.
     */
    static StandaloneSessionCluster start(Path confDir, Path lib, Path home)
            throws IOException, InterruptedException {
        return start(confDir, lib, home, 1);
    }

    /** As {@link #start(Path, Path, Path)}, with {@code taskManagers} TaskManager processes. */
    static StandaloneSessionCluster start(Path confDir, Path lib, Path home, int taskManagers)
            throws IOException, InterruptedException {
        return start(confDir, lib, home, taskManagers, Map.of());
    }

    /**
     * As {@link #start(Path, Path, Path, int)}, with {@code overrides} on top of the configuration:
     * for measuring what a setting changes (the fault run's {@code faults.conf.*}), never for the
     * tests' sake.
     */
    static StandaloneSessionCluster start(
            Path confDir, Path lib, Path home, int taskManagers, Map<String, String> overrides)
            throws IOException, InterruptedException {
        Configuration config = GlobalConfiguration.loadConfiguration(confDir.toString());
        overrides.forEach(config::setString);
        int restPort = freePort();
        int prometheusPort = freePort();
        Map<String, String> local = new LinkedHashMap<>();
        local.put("jobmanager.rpc.address", "localhost");
        local.put("jobmanager.rpc.port", String.valueOf(freePort()));
        local.put("jobmanager.bind-host", "localhost");
        local.put("taskmanager.bind-host", "localhost");
        local.put("taskmanager.host", "localhost");
        local.put("rest.address", "localhost");
        local.put("rest.bind-address", "localhost");
        local.put("rest.port", String.valueOf(restPort));
        // one port per process; a TaskManager started after a kill takes the one its predecessor
        // freed
        local.put("metrics.reporter.prom.port", prometheusPort + "-" + (prometheusPort + 3));
        local.put("execution.checkpointing.dir", home.resolve("checkpoints").toUri().toString());
        local.put(
                "execution.checkpointing.savepoint-dir",
                home.resolve("savepoints").toUri().toString());
        local.put("io.tmp.dirs", home.resolve("tmp").toString());
        local.forEach(config::setString);

        Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("log"));
        Files.createDirectories(home.resolve("tmp"));
        Files.write(
                home.resolve("conf/config.yaml"),
                ConfigurationUtils.convertConfigToWritableLines(config, false));
        for (String log4j : List.of("log4j.properties", "log4j-cli.properties")) {
            try (InputStream in =
                    StandaloneSessionCluster.class.getResourceAsStream("/flink-" + log4j)) {
                Files.copy(in, home.resolve("conf").resolve(log4j));
            }
        }

        StandaloneSessionCluster cluster =
                new StandaloneSessionCluster(home, lib, config, restPort);
        Runtime.getRuntime().addShutdownHook(cluster.killOnExit);
        try {
            cluster.startJobManager();
            for (int i = 0; i < taskManagers; i++) {
                cluster.startTaskManager();
            }
            cluster.awaitRegisteredTaskManagers(taskManagers, Duration.ofMinutes(2));
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    Configuration configuration() {
        return config;
    }

    Path home() {
        return home;
    }

    URI restUri(String path) {
        return URI.create("http://localhost:" + restPort + path);
    }

    private void startJobManager() throws IOException, InterruptedException {
        List<String> resources = resourceParams("GET_JM_RESOURCE_PARAMS");
        List<String> command = java(resources.get(0), "jobmanager", "jobmanager");
        command.add(ENTRYPOINT);
        command.add("--configDir");
        command.add(home.resolve("conf").toString());
        command.addAll(splitArgs(resources.get(1)));
        jobManager = launch(command, "jobmanager");
    }

    /** Starts one more TaskManager process, as {@code bin/taskmanager.sh start} would. */
    void startTaskManager() throws IOException, InterruptedException {
        List<String> resources = resourceParams("GET_TM_RESOURCE_PARAMS");
        String name = "taskmanager-" + taskManagersStarted++;
        List<String> command = java(resources.get(resources.size() - 2), "taskmanager", name);
        command.add(TASK_MANAGER);
        command.add("--configDir");
        command.add(home.resolve("conf").toString());
        command.addAll(splitArgs(resources.get(resources.size() - 1)));
        Process taskManager = launch(command, name);
        taskManagers.add(taskManager);
        taskManagerNames.put(taskManager, name);
    }

    /**
     * SIGKILL for every running TaskManager process: no shutdown hook, no goodbye to the
     * JobManager.
     */
    void killTaskManagers() throws InterruptedException {
        for (Process taskManager : taskManagers) {
            taskManager.destroyForcibly(); // SIGKILL on Linux
            taskManager.waitFor(30, TimeUnit.SECONDS);
        }
        taskManagers.clear();
    }

    /**
     * SIGKILL for one TaskManager process, by its position among the running ones; returns its log
     * name.
     */
    String killTaskManager(int index) throws InterruptedException {
        taskManagers.removeIf(p -> !p.isAlive());
        Process victim = taskManagers.remove(index);
        victim.destroyForcibly(); // SIGKILL on Linux
        victim.waitFor(30, TimeUnit.SECONDS);
        return taskManagerNames.remove(victim);
    }

    /**
     * SIGKILL for the TaskManager running the most tasks (the REST API's used slots), the worst
     * case of losing one; returns its log name and how many slots it had in use.
     */
    String killBusiestTaskManager() throws IOException, InterruptedException {
        taskManagers.removeIf(p -> !p.isAlive());
        String busiest = null;
        int mostUsed = -1;
        for (JsonNode tm : rest("/taskmanagers").path("taskmanagers")) {
            int used = tm.path("slotsNumber").asInt() - tm.path("freeSlots").asInt();
            if (used > mostUsed) {
                mostUsed = used;
                busiest = tm.path("id").asText();
            }
        }
        for (int i = 0; i < taskManagers.size(); i++) {
            Path log =
                    home.resolve("log").resolve(taskManagerNames.get(taskManagers.get(i)) + ".log");
            if (busiest != null
                    && Files.exists(log)
                    && Files.readString(log, StandardCharsets.UTF_8)
                            .contains("ResourceID: " + busiest)) {
                return killTaskManager(i) + " (" + mostUsed + " slots in use)";
            }
        }
        throw new IllegalStateException("no live TaskManager process is " + busiest);
    }

    /** TaskManager processes still alive. */
    int liveTaskManagers() {
        taskManagers.removeIf(p -> !p.isAlive());
        return taskManagers.size();
    }

    void awaitRegisteredTaskManagers(int count, Duration timeout) throws InterruptedException {
        awaitRest(
                "/taskmanagers",
                body -> body.path("taskmanagers").size() == count,
                timeout,
                count + " registered TaskManager(s)");
    }

    /** Polls a REST resource until the predicate holds; returns the last body. */
    JsonNode awaitRest(String path, Predicate<JsonNode> done, Duration timeout, String what)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        JsonNode last = null;
        String lastError = null;
        while (Instant.now().isBefore(deadline)) {
            assertProcessesAlive();
            try {
                last = rest(path);
                if (done.test(last)) {
                    return last;
                }
            } catch (IOException | RuntimeException e) {
                lastError = e.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError(
                "timed out after "
                        + timeout
                        + " waiting for "
                        + what
                        + " at "
                        + path
                        + "; last answer "
                        + last
                        + (lastError == null ? "" : ", last error " + lastError)
                        + "\n"
                        + logTail("jobmanager"));
    }

    JsonNode rest(String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(restUri(path))
                                .timeout(Duration.ofSeconds(10))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(
                    "GET " + path + " -> " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** GET on any local HTTP endpoint (the Prometheus reporters). */
    String httpGet(URI uri) throws IOException, InterruptedException {
        return http.send(
                        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** The result of one {@code flink ...} command. */
    record CliResult(int exitCode, String output) {
        CliResult assertSucceeded(String what) {
            if (exitCode != 0) {
                throw new AssertionError(what + ": flink exited " + exitCode + "\n" + output);
            }
            return this;
        }
    }

    /**
     * Runs {@code flink <args>} — Flink's {@code CliFrontend} in its own JVM, reading this
     * cluster's conf dir.
     */
    CliResult flink(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = java(null, "client", "flink-cli");
        command.add(CLI);
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("FLINK_CONF_DIR", home.resolve("conf").toString());
        builder.environment().put("FLINK_LIB_DIR", lib.toString());
        Process cli = builder.start();
        byte[] out;
        try (InputStream in = cli.getInputStream()) {
            out = readWithTimeout(in, cli, timeout);
        }
        return new CliResult(cli.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static byte[] readWithTimeout(InputStream in, Process process, Duration timeout)
            throws IOException, InterruptedException {
        var buffer = new java.io.ByteArrayOutputStream();
        Thread pump =
                new Thread(
                        () -> {
                            try {
                                in.transferTo(buffer);
                            } catch (IOException ignored) {
                                // the process went away; what was read is kept
                            }
                        },
                        "flink-cli-output");
        pump.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            pump.join(5_000);
            throw new AssertionError("flink CLI did not finish within " + timeout + ":\n" + buffer);
        }
        pump.join(10_000);
        return buffer.toByteArray();
    }

    /** The last lines of a process's log file, for failure messages. */
    String logTail(String name) {
        Path log = home.resolve("log").resolve(name + ".log");
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- last lines of "
                    + log
                    + " ---\n"
                    + String.join(
                            "\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    /**
     * The memory flags BashJavaUtils computes from the configuration, once per kind of process:
     * they cannot change while the cluster runs, and a replacement TaskManager should not wait for
     * a JVM that recomputes them.
     */
    private List<String> resourceParams(String command) throws IOException, InterruptedException {
        List<String> cached = resourceParams.get(command);
        if (cached == null) {
            cached = computeResourceParams(command);
            resourceParams.put(command, cached);
        }
        return cached;
    }

    private List<String> computeResourceParams(String command)
            throws IOException, InterruptedException {
        List<String> java = java(null, "client", "bash-java-utils");
        java.add(BASH_JAVA_UTILS);
        java.add(command);
        java.add("--configDir");
        java.add(home.resolve("conf").toString());
        Process process = new ProcessBuilder(java).redirectErrorStream(true).start();
        String output =
                new String(
                        readWithTimeout(process.getInputStream(), process, Duration.ofMinutes(1)),
                        StandardCharsets.UTF_8);
        List<String> results =
                output.lines()
                        .filter(l -> l.startsWith(RESULT_PREFIX))
                        .map(l -> l.substring(RESULT_PREFIX.length()))
                        .toList();
        if (process.exitValue() != 0 || results.size() < 2) {
            throw new IllegalStateException("BashJavaUtils " + command + " failed:\n" + output);
        }
        return results;
    }

    /**
     * {@code java <memory flags> <env.java.opts.all + env.java.opts.<role>> -Dlog.file=... -cp
     * lib/*}, the command line {@code bin/flink-daemon.sh} builds.
     */
    private List<String> java(String memoryFlags, String role, String logName) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (memoryFlags != null) {
            command.addAll(splitArgs(memoryFlags));
        }
        command.addAll(splitArgs(config.getString("env.java.default-opts.all", "")));
        command.addAll(splitArgs(config.getString("env.java.opts.all", "")));
        command.addAll(splitArgs(config.getString("env.java.opts." + role, "")));
        boolean client = role.equals("client");
        command.add("-Dlog.file=" + home.resolve("log").resolve(logName + ".log"));
        command.add(
                "-Dlog4j.configurationFile=file:"
                        + home.resolve("conf")
                                .resolve(client ? "log4j-cli.properties" : "log4j.properties"));
        command.add("-classpath");
        command.add(lib.resolve("*").toString());
        return command;
    }

    private Process launch(List<String> command, String name) throws IOException {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("log").resolve(name + ".out").toFile())
                .start();
    }

    private void assertProcessesAlive() {
        if (jobManager != null && !jobManager.isAlive()) {
            throw new AssertionError(
                    "the JobManager process exited with "
                            + jobManager.exitValue()
                            + "\n"
                            + logTail("jobmanager"));
        }
    }

    private static List<String> splitArgs(String args) {
        return args == null || args.isBlank()
                ? List.of()
                : Arrays.asList(args.trim().split("\\s+"));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private void destroyAll() {
        for (Process taskManager : taskManagers) {
            taskManager.destroyForcibly();
        }
        if (jobManager != null) {
            jobManager.destroy();
            try {
                if (!jobManager.waitFor(20, TimeUnit.SECONDS)) {
                    jobManager.destroyForcibly();
                }
            } catch (InterruptedException e) {
                jobManager.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        destroyAll();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway
        }
    }
}
