package dev.flinkpipelines.common.time;

import java.time.Instant;
import java.time.LocalDate;

/**
 * {@link Instant#toString()}'s text (ISO-8601 in UTC, the fraction in groups of three digits, none
 * when zero), written without a {@code DateTimeFormatter}: the formatter was 30 % of writing an
 * events_clean payload and is paid for every timestamp the sink copies into PostgreSQL. Instants
 * outside the years 0000–9999 are left to {@code toString}.
 */
public final class InstantText {

    private static final long FIRST_SECOND = -62_167_219_200L; // 0000-01-01T00:00:00Z
    private static final long END_SECOND = 253_402_300_800L; // 10000-01-01T00:00:00Z

    private InstantText() {}

    public static String format(Instant t) {
        StringBuilder out = new StringBuilder(30);
        append(out, t);
        return out.toString();
    }

    public static void append(StringBuilder out, Instant t) {
        long seconds = t.getEpochSecond();
        if (seconds < FIRST_SECOND || seconds >= END_SECOND) {
            out.append(t);
            return;
        }
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400));
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        int year = date.getYear();
        pad(out, year / 100, 2);
        pad(out, year % 100, 2);
        out.append('-');
        pad(out, date.getMonthValue(), 2);
        out.append('-');
        pad(out, date.getDayOfMonth(), 2);
        out.append('T');
        pad(out, secondOfDay / 3600, 2);
        out.append(':');
        pad(out, secondOfDay / 60 % 60, 2);
        out.append(':');
        pad(out, secondOfDay % 60, 2);
        int nanos = t.getNano();
        if (nanos > 0) {
            out.append('.');
            if (nanos % 1_000_000 == 0) {
                pad(out, nanos / 1_000_000, 3);
            } else if (nanos % 1_000 == 0) {
                pad(out, nanos / 1_000, 6);
            } else {
                pad(out, nanos, 9);
            }
        }
        out.append('Z');
    }

    private static void pad(StringBuilder out, int value, int width) {
        for (int divisor = pow10(width - 1); divisor > 0; divisor /= 10) {
            out.append((char) ('0' + value / divisor % 10));
        }
    }

    private static int pow10(int n) {
        int p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }
}
