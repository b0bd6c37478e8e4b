package dev.flinkpipelines.common.options;

import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {

    private final CommandLine cli = CommonFlags.forJob("user-events", "Counts things.").add(CommonFlags.inputTopic("user-events"));

    @Test
    void defaultsPointAtLocalhost() throws Exception {
        ParsedArgs args = cli.parse();
        assertEquals("localhost:9092", args.get(CommonFlags.BOOTSTRAP_SERVERS));
        assertEquals("jdbc:postgresql://localhost:5432/flink", args.get(CommonFlags.JDBC_URL));
        assertEquals(Duration.ofSeconds(1), args.get(CommonFlags.CHECKPOINT_INTERVAL));
        assertEquals(Duration.ofSeconds(5), args.get(CommonFlags.MAX_OUT_OF_ORDERNESS));
        assertEquals(CommonFlags.StartingOffsets.COMMITTED, args.get(CommonFlags.STARTING_OFFSETS));
        assertEquals("user-events", args.get(CommonFlags.inputTopic("user-events")));
        assertFalse(args.get(CommonFlags.BOUNDED));
        assertNull(args.get(CommonFlags.PARALLELISM));
    }

    @Test
    void readsEveryFormOfValue() throws Exception {
        ParsedArgs args = cli.parse("--checkpoint-interval", "250", "--max-out-of-orderness=10s", "--bounded",
                "--parallelism", "4", "--starting-offsets", "EARLIEST", "--group-id", "g1");
        assertEquals(Duration.ofMillis(250), args.get(CommonFlags.CHECKPOINT_INTERVAL), "a bare number is milliseconds");
        assertEquals(Duration.ofSeconds(10), args.get(CommonFlags.MAX_OUT_OF_ORDERNESS));
        assertTrue(args.get(CommonFlags.BOUNDED));
        assertEquals(4, args.get(CommonFlags.PARALLELISM));
        assertEquals(CommonFlags.StartingOffsets.EARLIEST, args.get(CommonFlags.STARTING_OFFSETS));
        assertEquals("g1", args.get(CommonFlags.GROUP_ID));
    }

    @Test
    void badValuesSayWhichFlagAndWhatIsExpected() {
        assertEquals("--checkpoint-interval 'abc': expected a duration such as 500ms, 5s, 5m or 24h (a bare number means millis)",
                assertThrows(UsageException.class, () -> cli.parse("--checkpoint-interval", "abc")).getMessage());
        assertEquals("--checkpoint-interval '10': must be at least 100 ms",
                assertThrows(UsageException.class, () -> cli.parse("--checkpoint-interval", "10")).getMessage());
        assertEquals("--parallelism '0': expected a whole number >= 1",
                assertThrows(UsageException.class, () -> cli.parse("--parallelism", "0")).getMessage());
        assertEquals("--starting-offsets 'newest': expected one of earliest|latest|committed",
                assertThrows(UsageException.class, () -> cli.parse("--starting-offsets", "newest")).getMessage());
        assertEquals("unknown flag --bootstrap-server (did you mean --bootstrap-servers?)",
                assertThrows(UsageException.class, () -> cli.parse("--bootstrap-server", "x")).getMessage());
        assertEquals("--jdbc-url needs a value (TEXT)",
                assertThrows(UsageException.class, () -> cli.parse("--jdbc-url", "--bounded")).getMessage());
        assertEquals("--bounded takes no value",
                assertThrows(UsageException.class, () -> cli.parse("--bounded=yes")).getMessage());
    }

    @Test
    void helpListsEveryFlagWithItsDefault() throws Exception {
        assertTrue(cli.parse("--help").helpRequested());
        String usage = cli.usage();
        for (String flag : new String[] {"--bootstrap-servers", "--group-id", "--jdbc-url", "--jdbc-user", "--jdbc-password",
                "--checkpoint-interval", "--parallelism", "--starting-offsets", "--bounded", "--max-out-of-orderness",
                "--input-topic", "--help"}) {
            assertTrue(usage.contains(flag), () -> flag + " missing from:\n" + usage);
        }
        assertTrue(usage.contains("(default: 1s)"), usage);
    }

    @Test
    void jobMainExitsWithUsageCodeAndOneLineOnBadFlag() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicReference<ParsedArgs> ran = new AtomicReference<>();
        int code = JobMain.execute(new String[] {"--parallelism", "-1"}, cli, ran::set, print(out), print(err));
        assertEquals(JobMain.USAGE, code);
        assertNull(ran.get(), "the job must not run");
        assertEquals("error: --parallelism '-1': expected a whole number >= 1\nRun with --help to see every flag.\n",
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void jobMainPrintsHelpWithoutRunning() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AtomicReference<ParsedArgs> ran = new AtomicReference<>();
        assertEquals(JobMain.OK, JobMain.execute(new String[] {"--help"}, cli, ran::set, print(out), print(new ByteArrayOutputStream())));
        assertNull(ran.get());
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: flink run <user-events jar> [flags]"));
    }

    @Test
    void jobMainReportsFailuresWithoutStackTrace() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = JobMain.execute(new String[0], cli, args -> {
            throw new IllegalStateException("outer", new java.sql.SQLException("connection refused"));
        }, print(new ByteArrayOutputStream()), print(err));
        assertEquals(JobMain.FAILED, code);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("error: the job failed: outer: connection refused\n"), text);
        assertFalse(text.contains("\tat "), "no stack frames: " + text);
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
