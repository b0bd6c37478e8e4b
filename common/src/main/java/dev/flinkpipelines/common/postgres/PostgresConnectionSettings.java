package dev.flinkpipelines.common.postgres;

import org.apache.flink.util.UserCodeClassLoader;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;

/** Where PostgreSQL is and how to log in; opens connections with a readable error on failure. */
public final class PostgresConnectionSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * The PostgreSQL driver of this class loader, asked directly rather than through DriverManager.
     * DriverManager hands a caller only drivers its class loader can see, and the driver registers
     * itself there once per class loader that loads it. On a session cluster every job has its own
     * child-first class loader with its own copy of the driver inside the job jar; through
     * DriverManager, jobs submitted after the first one failed with "No suitable driver" (found by
     * e2e/SessionClusterE2EIT).
     */
    private static final Driver DRIVER = new org.postgresql.Driver();

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
            Connection connection = DRIVER.connect(url, properties);
            if (connection == null) {
                throw new SQLException("the PostgreSQL driver does not accept this URL", "08001");
            }
            return connection;
        } catch (SQLException e) {
            throw new SQLException(
                    "cannot connect to PostgreSQL at " + url + " as user '" + user + "': " + e.getMessage()
                            + " (is the server running and reachable, and are --jdbc-url/--jdbc-user/--jdbc-password right?)",
                    e.getSQLState(),
                    e);
        }
    }

    /**
     * Loading the driver class registered it in DriverManager, a JVM-wide registry that would keep
     * a finished job's class loader (and all its classes) alive on a session cluster. When the
     * driver came from this job's class loader, deregister it when Flink releases that loader. (In a
     * MiniCluster or the demo the driver belongs to the application class loader: left alone.)
     */
    public static void deregisterDriverOnRelease(UserCodeClassLoader userCode) {
        if (org.postgresql.Driver.class.getClassLoader() == userCode.asClassLoader()) {
            userCode.registerReleaseHookIfAbsent("deregister-postgresql-driver", () -> {
                try {
                    if (org.postgresql.Driver.isRegistered()) {
                        org.postgresql.Driver.deregister();
                    }
                } catch (SQLException e) {
                    // nothing left to do: the class loader is being released anyway
                }
            });
        }
    }

    @Override
    public String toString() {
        return url + " (user " + user + ")";
    }
}
