package dev.flinkpipelines.sql;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Applies the ordered migrations in {@code sql/migrations} (packaged as {@code db/migration}) to a
 * PostgreSQL database with Flyway, which records what it applied in {@code flyway_schema_history}
 * and refuses to run when an applied file was changed afterwards.
 *
 * <pre>java -jar sql/target/sql-&lt;version&gt;-migrate.jar --jdbc-url jdbc:postgresql://host:5432/db --jdbc-user u --jdbc-password p</pre>
 */
public final class SchemaMigrator {

    private SchemaMigrator() {}

    /** Brings the database up to the newest migration; returns how many were applied now. */
    public static int migrate(String jdbcUrl, String user, String password) {
        MigrateResult result = Flyway.configure()
                .dataSource(jdbcUrl, user, password)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        return result.migrationsExecuted;
    }

    public static void main(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("--jdbc-url", "jdbc:postgresql://localhost:5432/flink");
        flags.put("--jdbc-user", "flink");
        flags.put("--jdbc-password", "flink");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println("Usage: java -jar sql-<version>-migrate.jar [--jdbc-url URL] [--jdbc-user USER] [--jdbc-password PASSWORD]");
                System.out.println("Applies the flink-pipelines schema (sql/migrations) to PostgreSQL. Defaults: " + flags);
                return;
            }
            if (!flags.containsKey(arg) || i + 1 >= args.length) {
                System.err.println("error: " + (flags.containsKey(arg) ? arg + " needs a value" : "unknown flag " + arg)
                        + " (run with --help)");
                System.exit(2);
            }
            flags.put(arg, args[++i]);
        }
        try {
            int applied = migrate(flags.get("--jdbc-url"), flags.get("--jdbc-user"), flags.get("--jdbc-password"));
            System.out.println("schema of " + flags.get("--jdbc-url") + " is up to date (" + applied + " migrations applied now)");
        } catch (RuntimeException e) {
            // Flyway's message continues with a table of SQL state and codes; its first line says it all
            String message = String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName());
            System.err.println("error: could not migrate " + flags.get("--jdbc-url") + ": " + message);
            System.exit(1);
        }
    }
}
