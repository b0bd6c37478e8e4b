package dev.flinkpipelines.common.time;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * ISO-8601 instants as text, both ways. Reading: timestamps with an offset, exactly as {@link
 * OffsetDateTime#parse(CharSequence)} reads them, faster for the form producers send: {@code
 * 2025-11-30T15:30:00Z}, optionally with a fraction of 1 to 9 digits. That form is read digit by
 * digit; anything else — another offset, no seconds, a lower-case {@code z}, an impossible date or
 * time — goes to {@code OffsetDateTime.parse}, so what is accepted, and every error, stays {@code
 * OffsetDateTime.parse}'s.
 *
 * <p>Why: {@code OffsetDateTime.parse} was 5 % of the video-views job's CPU and 4 % of drink-shop's
 * (JFR, ./bench/run.sh), for one field per record.
 */
public final class IsoTimestamps {

    private IsoTimestamps() {}

    public static Instant parse(String s) throws DateTimeParseException {
        Instant fast = parseUtcSeconds(s);
        return fast != null ? fast : OffsetDateTime.parse(s).toInstant();
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with valid fields, else null. */
    static Instant parseUtcSeconds(String s) {
        int n = s.length();
        if (n < 20
                || n > 30
                || s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || s.charAt(10) != 'T'
                || s.charAt(13) != ':'
                || s.charAt(16) != ':'
                || s.charAt(n - 1) != 'Z') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            int fractionDigits = n - 21;
            if (s.charAt(19) != '.' || fractionDigits < 1 || fractionDigits > 9) {
                return null;
            }
            int fraction = digits(s, 20, fractionDigits);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction;
            for (int i = fractionDigits; i < 9; i++) {
                nanos *= 10;
            }
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos)
                    .toInstant(ZoneOffset.UTC);
        } catch (DateTimeException impossible) {
            return null; // e.g. February 30th or 24:00: OffsetDateTime.parse says why
        }
    }

    /** The decimal number of {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static final long FIRST_SECOND = -62_167_219_200L; // 0000-01-01T00:00:00Z
    private static final long END_SECOND = 253_402_300_800L; // 10000-01-01T00:00:00Z

    /**
     * {@link Instant#toString()}'s text (ISO-8601 in UTC, the fraction in groups of three digits,
     * none when zero), written without a {@code DateTimeFormatter}: the formatter was 30 % of
     * writing an events_clean payload and is paid for every timestamp the sink copies into
     * PostgreSQL. Instants outside the years 0000–9999 are left to {@code toString}.
     */
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
