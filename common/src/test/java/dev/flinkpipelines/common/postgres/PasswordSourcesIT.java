package dev.flinkpipelines.common.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.testkit.PostgresExtension;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the PostgreSQL password comes from, against a server that really checks it (scram-sha-256
 * for the test's role; the embedded server trusts everyone else): the password itself, a file read
 * at each connection, PostgreSQL's own {@code .pgpass} — and that no failure message holds it.
 */
class PasswordSourcesIT {

    private static final String ROLE = "pw_checked";
    private static final String PASSWORD = "right-" + UUID.randomUUID();
    private static final String WRONG = "wrong-" + UUID.randomUUID();

    private static EmbeddedPostgres server;
    private static String url;

    @TempDir Path dir;

    @BeforeAll
    static void startServerThatChecksPasswords() throws Exception {
        server = PostgresExtension.startServer(Map.of());
        url = "jdbc:postgresql://localhost:" + server.getPort() + "/postgres";
        try (Connection c = server.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("SET password_encryption = 'scram-sha-256'");
            s.execute("CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + PASSWORD + "'");
            Path hba;
            try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
                rs.next();
                hba = Path.of(rs.getString(1));
            }
            // first matching line wins: the test's role must prove its password, over TCP from
            // anywhere
            Files.writeString(
                    hba,
                    "host all "
                            + ROLE
                            + " 0.0.0.0/0 scram-sha-256\nhost all "
                            + ROLE
                            + " ::/0 scram-sha-256\n"
                            + Files.readString(hba));
            s.execute("SELECT pg_reload_conf()");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @AfterEach
    void forgetPgpass() {
        System.clearProperty("org.postgresql.pgpassfile");
    }

    @Test
    void theServerRefusesAWrongPassword() {
        SQLException e =
                assertThrows(
                        SQLException.class,
                        () -> new PostgresConnectionSettings(url, ROLE, WRONG).open("test"));
        assertTrue(e.getMessage().contains("password authentication failed"), e.getMessage());
        assertFalse(e.getMessage().contains(WRONG), e.getMessage());
        assertNull(
                e.getCause(),
                "the driver's exception is not kept: nothing below the message to leak");
    }

    @Test
    void passwordGivenDirectly() throws Exception {
        assertEquals(ROLE, currentUser(new PostgresConnectionSettings(url, ROLE, PASSWORD)));
    }

    @Test
    void passwordFileIsReadWhereTheConnectionOpensTrailingNewlineIgnored() throws Exception {
        Path file = dir.resolve("pg-password");
        Files.writeString(file, PASSWORD + "\n");
        PostgresConnectionSettings settings =
                new PostgresConnectionSettings(url, ROLE, null, file.toString());
        assertEquals(ROLE, currentUser(settings));

        // rotated: the next connection reads the new content
        Files.writeString(file, WRONG);
        SQLException refused = assertThrows(SQLException.class, () -> settings.open("test"));
        assertFalse(refused.getMessage().contains(WRONG), refused.getMessage());

        Files.delete(file);
        SQLException missing = assertThrows(SQLException.class, () -> settings.open("test"));
        assertEquals(
                "28P01",
                missing.getSQLState(),
                "the state of a refused login: the sink retries it, a Secret may be mounted a moment later");
        assertTrue(
                missing.getMessage().startsWith("cannot read the PostgreSQL password file " + file),
                missing.getMessage());
    }

    @Test
    void withoutPasswordTheDriverReadsPgpass() throws Exception {
        Path pgpass = dir.resolve("pgpass");
        Files.writeString(
                pgpass, "localhost:" + server.getPort() + ":*:" + ROLE + ":" + PASSWORD + "\n");
        System.setProperty("org.postgresql.pgpassfile", pgpass.toString());
        assertEquals(ROLE, currentUser(new PostgresConnectionSettings(url, ROLE, null, null)));
    }

    @Test
    void aPasswordInTheUrlIsMaskedInEveryMessage() {
        String withPassword = url + "?password=" + WRONG;
        PostgresConnectionSettings settings =
                new PostgresConnectionSettings(withPassword, ROLE, null, null);
        assertFalse(settings.toString().contains(WRONG), settings.toString());
        assertFalse(settings.url().contains(WRONG), settings.url());
        SQLException e = assertThrows(SQLException.class, () -> settings.open("test"));
        assertTrue(e.getMessage().contains("password=****"), e.getMessage());
        assertFalse(e.getMessage().contains(WRONG), e.getMessage());
        IllegalArgumentException bad =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new PostgresConnectionSettings(
                                        "jdbc:mysql://h/db?password=" + WRONG, ROLE, null));
        assertFalse(bad.getMessage().contains(WRONG), bad.getMessage());
    }

    private static String currentUser(PostgresConnectionSettings settings) throws SQLException {
        try (Connection c = settings.open("test");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
