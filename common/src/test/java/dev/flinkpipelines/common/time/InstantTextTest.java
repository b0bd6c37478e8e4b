package dev.flinkpipelines.common.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * InstantText writes what Instant.toString writes: differential, on edges and a million random
 * instants.
 */
class InstantTextTest {

    @Test
    void edgesAsToString() {
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
            assertEquals(t.toString(), InstantText.format(t));
        }
    }

    @Test
    void randomInstantsAsToString() {
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
            assertEquals(t.toString(), InstantText.format(t));
        }
    }
}
