package dev.flinkpipelines.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Command-line flags that point a job at the test's Kafka and PostgreSQL, reading from the start.
 */
public final class JobFlags {

    private JobFlags() {}

    public static String[] pointingAt(KafkaExtension kafka, PostgresExtension pg, String... more) {
        List<String> flags =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--jdbc-url",
                                pg.jdbcUrl(),
                                "--jdbc-user",
                                pg.user(),
                                "--jdbc-password",
                                pg.password(),
                                "--starting-offsets",
                                "earliest"));
        flags.addAll(List.of(more));
        return flags.toArray(new String[0]);
    }
}
