package dev.flinkpipelines.common.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast path reads exactly what OffsetDateTime.parse reads, to the nanosecond, and leaves it
 * everything else; format writes what Instant.toString writes (edges and a million random
 * instants).
 */
class IsoTimestampsTest {

    @Test
    void theCommonFormTakesTheFastPathWithTheSameInstant() {
        for (String s :
                List.of(
                        "2025-11-30T15:30:00Z",
                        "2025-11-30T15:30:00.123Z",
                        "2024-02-29T23:59:59.999999999Z",
                        "1970-01-01T00:00:00.1Z",
                        "2099-12-31T00:00:00.000000Z")) {
            Instant fast = IsoTimestamps.parseUtcSeconds(s);
            assertNotNull(fast, s);
            assertEquals(OffsetDateTime.parse(s).toInstant(), fast, s);
        }
    }

    @Test
    void everythingElseIsLeftToOffsetDateTimeParse() {
        for (String s :
                List.of(
                        "2025-11-30T15:30Z",
                        "2025-11-30T15:30:00z",
                        "2025-11-30T15:30:00+07:00",
                        "2025-11-30T15:30:00.Z",
                        "2025-11-30T15:30:00.1234567890Z",
                        "2023-02-29T10:00:00Z",
                        "2025-11-30T24:00:00Z",
                        "2025-11-30T23:59:60Z",
                        "2025-13-01T00:00:00Z",
                        "+2025-11-30T15:30:00Z",
                        "2025-11-30 15:30:00Z",
                        "٢٠٢٥-11-30T15:30:00Z",
                        "2025-11-30T15:30:00ZZ")) {
            assertNull(IsoTimestamps.parseUtcSeconds(s), s);
        }
        assertEquals(
                OffsetDateTime.parse("2025-11-30T15:30:00z").toInstant(),
                IsoTimestamps.parse("2025-11-30T15:30:00z"));
        assertThrows(DateTimeException.class, () -> IsoTimestamps.parse("2023-02-29T10:00:00Z"));
    }

    /** Random near-canonical strings: both parsers agree on every one, value or failure. */
    @Test
    void agreesWithOffsetDateTimeParseOnRandomNearMisses() {
        Random random = new Random(42);
        String alphabet = "0123456789-:T.Zz+ ";
        int fast = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder s =
                    new StringBuilder(
                            String.format(
                                    "%04d-%02d-%02dT%02d:%02d:%02d",
                                    random.nextInt(10_000),
                                    random.nextInt(14),
                                    random.nextInt(33),
                                    random.nextInt(26),
                                    random.nextInt(62),
                                    random.nextInt(62)));
            int fraction = random.nextInt(12) - 1;
            if (fraction >= 0) {
                s.append('.');
                for (int d = 0; d < fraction; d++) {
                    s.append((char) ('0' + random.nextInt(10)));
                }
            }
            s.append(random.nextInt(10) == 0 ? "+07:00" : "Z");
            if (random.nextInt(4) == 0) {
                s.setCharAt(
                        random.nextInt(s.length()),
                        alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = s.toString();
            Object expected = outcome(() -> OffsetDateTime.parse(text).toInstant());
            Object actual = outcome(() -> IsoTimestamps.parse(text));
            assertEquals(expected, actual, text);
            if (IsoTimestamps.parseUtcSeconds(text) != null) {
                fast++;
            }
        }
        assertTrue(fast > 10_000, "the fast path must be exercised, took " + fast);
    }

    private static Object outcome(java.util.concurrent.Callable<Instant> parse) {
        try {
            return parse.call();
        } catch (Exception e) {
            return e.getClass();
        }
    }

    @Test
    void formatWritesTheEdgesAsToString() {
        for (Instant t :
                List.of(
                        Instant.EPOCH,
                        Instant.MIN,
                        Instant.MAX,
                        Instant.parse("2025-11-30T15:30:00Z"),
                        Instant.parse("2025-11-30T15:30:00.100Z"),
                        Instant.parse("2025-11-30T15:30:00.000100Z"),
                        Instant.parse("2025-11-30T15:30:00.000000100Z"),
                        Instant.parse("2024-02-29T23:59:59.999999999Z"),
                        Instant.parse("0000-01-01T00:00:00Z"),
                        Instant.parse("9999-12-31T23:59:59.999Z"),
                        Instant.parse("-0001-12-31T23:59:59Z"),
                        Instant.parse("+10000-01-01T00:00:00Z"),
                        Instant.ofEpochSecond(-1, 1),
                        Instant.ofEpochMilli(-1))) {
            assertEquals(t.toString(), IsoTimestamps.format(t));
        }
    }

    @Test
    void formatWritesRandomInstantsAsToString() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 1_000_000; i++) {
            long seconds = random.nextLong(-70_000_000_000L, 260_000_000_000L);
            int nanos =
                    switch (i % 4) {
                        case 0 -> 0;
                        case 1 -> random.nextInt(1000) * 1_000_000;
                        case 2 -> random.nextInt(1_000_000) * 1_000;
                        default -> random.nextInt(1_000_000_000);
                    };
            Instant t = Instant.ofEpochSecond(seconds, nanos);
            assertEquals(t.toString(), IsoTimestamps.format(t));
        }
    }
}
