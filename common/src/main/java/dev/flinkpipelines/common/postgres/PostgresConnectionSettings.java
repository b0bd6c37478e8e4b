package dev.flinkpipelines.common.postgres;

import dev.flinkpipelines.common.secrets.Secrets;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;
import org.apache.flink.util.UserCodeClassLoader;

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

    /** A password given on the command line (local use); null when it comes from elsewhere. */
    private final String password;

    /** A file holding the password, read by whichever process opens a connection; may be null. */
    private final String passwordFile;

    /** Connects with {@code password} itself (tests, local use), or without one when it is null. */
    public PostgresConnectionSettings(String url, String user, String password) {
        this(url, user, password, null);
    }

    /**
     * Where PostgreSQL is and who logs in. The password, first found wins: {@code password} itself;
     * the file {@code passwordFile}, read each time a connection is opened (so only its path
     * travels in the job graph, and a rotated Kubernetes Secret is picked up on the next
     * connection); the environment variable {@code PGPASSWORD} of the process that connects (as for
     * libpq); else none, and the driver looks in PostgreSQL's own {@code .pgpass} ({@code
     * PGPASSFILE} or {@code ~/.pgpass}).
     */
    public PostgresConnectionSettings(
            String url, String user, String password, String passwordFile) {
        this.url = Objects.requireNonNull(url, "url");
        this.user = user;
        this.password = password;
        this.passwordFile = passwordFile;
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(
                    "JDBC URL must start with jdbc:postgresql: (e.g."
                            + " jdbc:postgresql://localhost:5432/flink), got "
                            + Secrets.redactUrl(url));
        }
        if (password != null && passwordFile != null) {
            throw new IllegalArgumentException(
                    "give the PostgreSQL password once: --jdbc-password-file or --jdbc-password, not both");
        }
    }

    /** The JDBC URL with any password in it masked: the form for messages and logs. */
    public String url() {
        return Secrets.redactUrl(url);
    }

    public String user() {
        return user;
    }

    /**
     * The password a connection would use now (see the constructor for where it comes from), or
     * null when the driver is left to find one. For code that must hand it to another client (the
     * benchmark's XA reference sink); never log it.
     */
    public String password() throws SQLException {
        if (password != null) {
            return password;
        }
        if (passwordFile != null) {
            try {
                // a Secret file usually ends with a newline that is not part of the password
                return Files.readString(Path.of(passwordFile), StandardCharsets.UTF_8)
                        .replaceAll("[\\r\\n]+$", "");
            } catch (IOException | RuntimeException e) {
                // 28P01 (invalid password), as for a refused login: the sink retries it through
                // Flink's
                // restart back-off, since a Secret being mounted or rotated appears a little later
                throw new SQLException(
                        "cannot read the PostgreSQL password file "
                                + passwordFile
                                + " ("
                                + e.getClass().getSimpleName()
                                + "): is the Secret mounted on every Flink process,"
                                + " and readable by the user Flink runs as?",
                        "28P01");
            }
        }
        return System.getenv("PGPASSWORD");
    }

    /**
     * Opens a connection. On failure the exception says which server could not be reached and what
     * to check, instead of the driver's bare message; it never holds the password.
     */
    public Connection open(String applicationName) throws SQLException {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        String secret = password();
        if (secret != null) {
            properties.setProperty("password", secret);
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
            // the driver's own message names host and user, not the password; scrubbed all the
            // same,
            // and the driver's exception is not kept as the cause for the same reason
            SQLException failure =
                    new SQLException(
                            Secrets.scrub(
                                    "cannot connect to PostgreSQL at "
                                            + url()
                                            + " as user '"
                                            + user
                                            + "': "
                                            + e.getMessage()
                                            + " (is the server running and reachable, and are --jdbc-url, --jdbc-user and the password"
                                            + " (--jdbc-password-file, PGPASSWORD or .pgpass) right?)",
                                    secret),
                            e.getSQLState());
            failure.setStackTrace(e.getStackTrace());
            throw failure;
        }
    }

    /**
     * Loading the driver class registered it in DriverManager, a JVM-wide registry that would keep
     * a finished job's class loader (and all its classes) alive on a session cluster. When the
     * driver came from this job's class loader, deregister it when Flink releases that loader. (In
     * a MiniCluster or the demo the driver belongs to the application class loader: left alone.)
     */
    public static void deregisterDriverOnRelease(UserCodeClassLoader userCode) {
        if (org.postgresql.Driver.class.getClassLoader() == userCode.asClassLoader()) {
            userCode.registerReleaseHookIfAbsent(
                    "deregister-postgresql-driver",
                    () -> {
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
        return url() + " (user " + user + ")";
    }
}
