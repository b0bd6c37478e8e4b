package dev.flinkpipelines.sql;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Applies the ordered migrations in {@code sql/migrations} (packaged as {@code db/migration}) to a
 * PostgreSQL database with Flyway, which records what it applied in {@code flyway_schema_history}
 * and refuses to run when an applied file was changed afterwards.
 *
 * <pre>
 * java -jar sql/target/sql-&lt;version&gt;-migrate.jar --jdbc-url jdbc:postgresql://host:5432/db --jdbc-user u --jdbc-password-file /run/secrets/pg
 * </pre>
 *
 * The password, first found wins: {@code --jdbc-password-file}, {@code --jdbc-password} (local use:
 * a flag's value shows in {@code ps} and shell history), the {@code PGPASSWORD} environment
 * variable, else the driver's own {@code ~/.pgpass}. Same rules as the jobs' flags; this jar stays
 * separate from the jobs' code so that migrating needs nothing but the JDBC driver and Flyway.
 */
@Command(
        name = "java -jar sql-<version>-migrate.jar",
        sortOptions = false,
        usageHelpWidth = 110,
        description = "Applies the flink-pipelines schema (sql/migrations) to PostgreSQL.")
public final class SchemaMigrator implements Callable<Integer> {

    @Option(
            names = "--jdbc-url",
            paramLabel = "URL",
            description = "PostgreSQL JDBC URL (default: ${DEFAULT-VALUE})")
    String jdbcUrl = "jdbc:postgresql://localhost:5432/flink";

    @Option(
            names = "--jdbc-user",
            paramLabel = "USER",
            description = "PostgreSQL user (default: ${DEFAULT-VALUE})")
    String user = "flink";

    @Option(
            names = "--jdbc-password-file",
            paramLabel = "PATH",
            description = "file holding the PostgreSQL password")
    Path passwordFile;

    @Option(
            names = "--jdbc-password",
            paramLabel = "SECRET",
            description = "PostgreSQL password, for local use only")
    String password;

    @Option(
            names = {"--help", "-h"},
            usageHelp = true,
            description = "print this help and exit")
    boolean help;

    /** Brings the database up to the newest migration; returns how many were applied now. */
    public static int migrate(String jdbcUrl, String user, String password) {
        MigrateResult result =
                Flyway.configure()
                        .dataSource(jdbcUrl, user, password)
                        .locations("classpath:db/migration")
                        .load()
                        .migrate();
        return result.migrationsExecuted;
    }

    @Override
    public Integer call() {
        String url = redact(jdbcUrl);
        String secret;
        try {
            secret = password();
        } catch (IOException e) {
            System.err.println(
                    "error: cannot read --jdbc-password-file "
                            + passwordFile
                            + " ("
                            + e.getClass().getSimpleName()
                            + ")");
            return 1;
        }
        try {
            int applied = migrate(jdbcUrl, user, secret);
            System.out.println(
                    "schema of " + url + " is up to date (" + applied + " migrations applied now)");
            return 0;
        } catch (RuntimeException e) {
            // Flyway's message continues with a table of SQL state and codes; its first line says
            // it all
            String message =
                    String.valueOf(e.getMessage())
                            .lines()
                            .findFirst()
                            .orElse(e.getClass().getSimpleName());
            if (secret != null && secret.length() >= 3) {
                message = message.replace(secret, "****");
            }
            System.err.println("error: could not migrate " + url + ": " + redact(message));
            return 1;
        }
    }

    private String password() throws IOException {
        if (passwordFile != null) {
            // a Secret file usually ends with a newline that is not part of the password
            return Files.readString(passwordFile, StandardCharsets.UTF_8)
                    .replaceAll("[\\r\\n]+$", "");
        }
        return password != null ? password : System.getenv("PGPASSWORD");
    }

    /** A JDBC URL (or a message quoting one) with any password parameter masked. */
    static String redact(String text) {
        return text.replaceAll("(?i)([?&;][a-z]*password=)[^&;\\s]*", "$1****");
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new SchemaMigrator());
        // a bad flag: one line and the hint, not picocli's full usage text
        cli.setParameterExceptionHandler(
                (e, argv) -> {
                    String message = e.getMessage();
                    if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
                        // never quote an argument that is not a flag: after a misspelled flag it is
                        // its value, maybe a password
                        String first =
                                unmatched.getUnmatched().isEmpty()
                                        ? ""
                                        : unmatched.getUnmatched().get(0);
                        message =
                                unmatched.isUnknownOption() && first.startsWith("-")
                                        ? "unknown flag "
                                                + first.split("=", 2)[0]
                                                + (unmatched.getSuggestions().isEmpty()
                                                        ? ""
                                                        : " (did you mean "
                                                                + unmatched.getSuggestions().get(0)
                                                                + "?)")
                                        : "unexpected argument (not a flag)";
                    }
                    cli.getErr().println("error: " + message);
                    cli.getErr().println("Run with --help to see every flag.");
                    return 2;
                });
        System.exit(cli.execute(args));
    }
}
