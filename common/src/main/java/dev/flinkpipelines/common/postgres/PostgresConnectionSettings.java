package dev.flinkpipelines.common.postgres;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;

/** Where PostgreSQL is and how to log in; opens connections with a readable error on failure. */
public final class PostgresConnectionSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String url;
    private final String user;
    private final String password;

    public PostgresConnectionSettings(String url, String user, String password) {
        this.url = Objects.requireNonNull(url, "url");
        this.user = user;
        this.password = password;
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(
                    "JDBC URL must start with jdbc:postgresql: (e.g. jdbc:postgresql://localhost:5432/flink), got " + url);
        }
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /**
     * Opens a connection. On failure the exception says which server could not be reached and
     * what to check, instead of the driver's bare message.
     */
    public Connection open(String applicationName) throws SQLException {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        // one multi-row INSERT per batch instead of one round trip per row
        properties.setProperty("reWriteBatchedInserts", "true");
        properties.setProperty("ApplicationName", applicationName);
        properties.setProperty("connectTimeout", "10");
        try {
            return DriverManager.getConnection(url, properties);
        } catch (SQLException e) {
            throw new SQLException(
                    "cannot connect to PostgreSQL at " + url + " as user '" + user + "': " + e.getMessage()
                            + " (is the server running and reachable, and are --jdbc-url/--jdbc-user/--jdbc-password right?)",
                    e.getSQLState(),
                    e);
        }
    }

    @Override
    public String toString() {
        return url + " (user " + user + ")";
    }
}
