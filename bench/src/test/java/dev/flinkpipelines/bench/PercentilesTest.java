package dev.flinkpipelines.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void nearestRankOnOneToHundred() {
        Percentiles p = new Percentiles(LongStream.rangeClosed(1, 100).map(i -> 101 - i).toArray());
        assertEquals(50, p.at(50));
        assertEquals(95, p.at(95));
        assertEquals(99, p.at(99));
        assertEquals(100, p.max());
        assertEquals(1, p.at(0.5));
    }

    @Test
    void smallSamplesRoundUpToAnObservedValue() {
        Percentiles p = new Percentiles(new long[] {30, 10, 20});
        assertEquals(20, p.at(50));
        assertEquals(30, p.at(99));
        assertEquals(10, p.at(10));
        assertEquals(3, p.count());
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Percentiles(new long[] {1}).at(0));
        assertThrows(IllegalStateException.class, () -> new Percentiles(new long[0]).at(50));
    }
}
