package dev.flinkpipelines.testkit;

import dev.flinkpipelines.devservices.LocalPostgres;
import dev.flinkpipelines.sql.SchemaMigrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL for a test class: one server per test JVM (real binaries, started once, {@code
 * max_prepared_transactions} enabled), and a fresh database per test class with the project's
 * schema applied. Register as {@code @RegisterExtension static PostgresExtension pg = new
 * PostgresExtension();}
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private final boolean applySchema;
    private String database;

    public PostgresExtension() {
        this(true);
    }

    public PostgresExtension(boolean applySchema) {
        this.applySchema = applySchema;
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            // one server for every test class of the JVM, each with a database of its own: more
            // connections than one deployment needs
            server = startServer(LocalPostgres.jobSettingsWith(Map.of("max_connections", "300")));
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(started)));
        }
        return server;
    }

    /** Starts a separate server with the given settings (e.g. max_prepared_transactions = 0). */
    public static EmbeddedPostgres startServer(Map<String, String> config) {
        try {
            return LocalPostgres.startInTemporaryDirectory(config);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL", e);
        }
    }

    private static void closeQuietly(EmbeddedPostgres pg) {
        try {
            pg.close();
        } catch (IOException ignored) {
            // shutting down
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        database = "test_" + DATABASES.incrementAndGet() + "_" + ProcessHandle.current().pid();
        try (Connection c =
                        DriverManager.getConnection(
                                urlOf(LocalPostgres.DATABASE), user(), password());
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        if (applySchema) {
            SchemaMigrator.migrate(jdbcUrl(), user(), password());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        // the exactly-once sink promises that nothing stays prepared or staged once its jobs have
        // finished: every test class is held to it
        List<String> leftovers = preparedTransactions();
        List<String> staged =
                applySchema
                        ? rows(
                                "SELECT DISTINCT sink_id || ' xid ' || xid FROM flink_sink_staged_rows")
                        : List.of();
        try (Connection c =
                        DriverManager.getConnection(
                                urlOf(LocalPostgres.DATABASE), user(), password());
                Statement s = c.createStatement()) {
            // prepared transactions pin the database: roll them back before dropping it
            rollBackPreparedTransactions();
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
        if (!leftovers.isEmpty() || !staged.isEmpty()) {
            throw new AssertionError(
                    context.getDisplayName()
                            + " left transactions prepared "
                            + leftovers
                            + " or rows staged "
                            + staged
                            + " in PostgreSQL");
        }
    }

    public int port() {
        return server().getPort();
    }

    public String jdbcUrl() {
        return urlOf(database);
    }

    private String urlOf(String db) {
        return LocalPostgres.jdbcUrl(server().getPort(), db);
    }

    public String user() {
        return LocalPostgres.USER;
    }

    public String password() {
        return LocalPostgres.PASSWORD;
    }

    public Connection connection() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user(), password());
    }

    public void execute(String... sql) throws SQLException {
        try (Connection c = connection();
                Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    /** The group role the schema's migrations grant the jobs' privileges to (sql/migrations/V8). */
    public static final String WRITER_ROLE = "flink_pipelines_writer";

    /**
     * Creates a login role that PostgreSQL really authenticates by password, with the privileges a
     * job needs on this test's database: membership of {@link #WRITER_ROLE} when the schema has it,
     * else read and write on every table and sequence.
     *
     * <p>The embedded server is initialised with {@code trust} for every connection: any password,
     * or none, is accepted, so a test of how a password reaches the database would pass whatever
     * the job sent. This puts a {@code scram-sha-256} line for {@code role} (and only it) at the
     * top of {@code pg_hba.conf} — the first matching line wins — and reloads the server. Returns
     * once a wrong password is refused, which is also the proof that the rule is in force.
     */
    public void createPasswordRole(String role, String password) throws SQLException {
        if (!role.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException(
                    "role must be a plain lower-case identifier: " + role);
        }
        try (Connection c =
                        DriverManager.getConnection(
                                urlOf(LocalPostgres.DATABASE), user(), password());
                Statement s = c.createStatement()) {
            String hbaFile;
            try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
                rs.next();
                hbaFile = rs.getString(1);
            }
            Path hba = Path.of(hbaFile);
            try {
                String rules = Files.readString(hba);
                Files.writeString(hba, "host all " + role + " all scram-sha-256\n" + rules);
            } catch (IOException e) {
                throw new UncheckedIOException("could not edit " + hba, e);
            }
            s.execute("SET password_encryption = 'scram-sha-256'");
            s.execute(
                    "CREATE ROLE "
                            + role
                            + " LOGIN PASSWORD '"
                            + password.replace("'", "''")
                            + "'");
            s.execute("SELECT pg_reload_conf()");
        }
        if (rows("SELECT 1 FROM pg_roles WHERE rolname = '" + WRITER_ROLE + "'").isEmpty()) {
            // a schema without the writer role: what a job's statements need, on every table
            execute(
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "
                            + role,
                    "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO " + role);
        } else {
            // the schema's own least-privilege role, as a deployment's login user gets it: a job
            // that
            // needs more than the migration grants fails here, as it would in production
            execute("GRANT " + WRITER_ROLE + " TO " + role);
        }
        // the postmaster reloads pg_hba.conf asynchronously, on the signal pg_reload_conf() sends
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                DriverManager.getConnection(jdbcUrl(), role, "wrong-" + password).close();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "PostgreSQL still lets " + role + " in with a wrong password");
                }
            } catch (SQLException refused) {
                if ("28P01".equals(refused.getSQLState())) { // invalid_password
                    return;
                }
                throw refused;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Rows of a query, each rendered as its columns joined with '|' (NULL as "null"). */
    public List<String> rows(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = connection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                StringJoiner row = new StringJoiner("|");
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.add(String.valueOf(rs.getString(i)));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    public long count(String table) throws SQLException {
        return Long.parseLong(rows("SELECT count(*) FROM " + table).get(0));
    }

    /**
     * Rolls back every transaction still prepared in this test's database. For test set-up only: a
     * failed test can leave some that hold locks the next test's set-up would wait on forever.
     */
    public void rollBackPreparedTransactions() throws SQLException {
        for (String gid : preparedTransactions()) {
            execute("ROLLBACK PREPARED '" + gid + "'");
        }
    }

    /** Global ids of transactions still prepared in this test's database. */
    public List<String> preparedTransactions() throws SQLException {
        return rows(
                "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() ORDER BY gid");
    }
}
