package dev.flinkpipelines.devservices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The servers start with the settings asked for, reachable at the URL and login they give. */
class LocalPostgresIT {

    @TempDir Path dir;

    @Test
    void aFreshServerHasTheJobSettingsAndNoDataOfAnEarlierRun() throws Exception {
        Map<String, String> settings =
                LocalPostgres.jobSettingsWith(Map.of("max_connections", "50"));
        try (EmbeddedPostgres server = LocalPostgres.startFresh(dir.resolve("pg"), settings)) {
            assertEquals("100", show(server, "max_prepared_transactions"));
            assertEquals("50", show(server, "max_connections"));
            execute(server, "CREATE TABLE left_by_the_first_run (id int)");
        }
        try (EmbeddedPostgres server = LocalPostgres.startFresh(dir.resolve("pg"), settings)) {
            assertFalse(
                    exists(server, "left_by_the_first_run"), "the second run starts from initdb");
        }
    }

    /** What the benchmark relies on to measure a durable database. */
    @Test
    void settingsCanMakeTheServerDurable(@TempDir Path dir) throws Exception {
        Map<String, String> durable =
                LocalPostgres.jobSettingsWith(Map.of("fsync", "on", "synchronous_commit", "on"));
        try (EmbeddedPostgres server = LocalPostgres.startFresh(dir.resolve("pg"), durable)) {
            assertEquals("on", show(server, "fsync"));
            assertEquals("on", show(server, "synchronous_commit"));
        }
    }

    @Test
    void aServerInATemporaryDirectoryHasOnlyTheSettingsAskedForAndNoFsync() throws Exception {
        try (EmbeddedPostgres server = LocalPostgres.startInTemporaryDirectory(Map.of())) {
            assertEquals("off", show(server, "fsync"));
            assertEquals("off", show(server, "synchronous_commit"));
            assertEquals("0", show(server, "max_prepared_transactions"));
        }
    }

    private static Connection connect(EmbeddedPostgres server) throws SQLException {
        return DriverManager.getConnection(
                LocalPostgres.jdbcUrl(server), LocalPostgres.USER, LocalPostgres.PASSWORD);
    }

    private static String show(EmbeddedPostgres server, String setting) throws SQLException {
        try (Connection c = connect(server);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SHOW " + setting)) {
            r.next();
            return r.getString(1);
        }
    }

    private static boolean exists(EmbeddedPostgres server, String table) throws SQLException {
        try (Connection c = connect(server);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT to_regclass('" + table + "')")) {
            r.next();
            return r.getString(1) != null;
        }
    }

    private static void execute(EmbeddedPostgres server, String sql) throws SQLException {
        try (Connection c = connect(server);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
