package dev.flinkpipelines.common.options;

import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One command-line flag: its name, what it means, its default and how a value is read and
 * checked. A value that does not read is an {@link UsageException} naming the flag and what was
 * expected, never a stack trace.
 */
public final class Flag<T> implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|min|h|d)?");

    /** Reads a raw value; throws IllegalArgumentException with what was expected. */
    @FunctionalInterface
    public interface Reader<T> extends Function<String, T>, Serializable {}

    private final String name;
    private final String valueHint;
    private final String description;
    private final T defaultValue;
    private final Reader<T> reader;
    private final boolean isSwitch;

    private Flag(String name, String valueHint, String description, T defaultValue, Reader<T> reader, boolean isSwitch) {
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("flag names are lower-case words with dashes: " + name);
        }
        this.name = name;
        this.valueHint = valueHint;
        this.description = description;
        this.defaultValue = defaultValue;
        this.reader = reader;
        this.isSwitch = isSwitch;
    }

    public static Flag<String> string(String name, String defaultValue, String description) {
        return new Flag<>(name, "TEXT", description, defaultValue, value -> {
            if (value.isBlank()) {
                throw new IllegalArgumentException("expected a non-empty value");
            }
            return value;
        }, false);
    }

    /** A whole number of at least {@code min}; {@code defaultValue} may be null (unset). */
    public static Flag<Integer> integer(String name, int min, Integer defaultValue, String description) {
        return new Flag<>(name, "N", description, defaultValue, value -> {
            try {
                int n = Integer.parseInt(value.trim());
                if (n < min) {
                    throw new IllegalArgumentException("expected a whole number >= " + min);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number >= " + min);
            }
        }, false);
    }

    /** A decimal number of at least 0 (rates, fractions). */
    public static Flag<Double> decimal(String name, double defaultValue, String description) {
        return new Flag<>(name, "NUMBER", description, defaultValue, value -> {
            try {
                double d = Double.parseDouble(value.trim());
                if (!(d >= 0) || Double.isInfinite(d)) {
                    throw new IllegalArgumentException("expected a number >= 0");
                }
                return d;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a number >= 0");
            }
        }, false);
    }

    /**
     * A duration: a number with a unit ({@code 500ms}, {@code 5s}, {@code 5m}, {@code 24h},
     * {@code 1d}); a bare number is {@code bareUnit} (milliseconds for --checkpoint-interval).
     */
    public static Flag<Duration> duration(
            String name, Duration defaultValue, Duration min, java.time.temporal.ChronoUnit bareUnit, String description) {
        return new Flag<>(name, "DURATION", description, defaultValue, value -> {
            Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
            String expected = "expected a duration such as 500ms, 5s, 5m or 24h (a bare number means "
                    + bareUnit.toString().toLowerCase(Locale.ROOT) + ")";
            if (!m.matches()) {
                throw new IllegalArgumentException(expected);
            }
            Duration d;
            try {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "" : m.group(2);
                switch (unit) {
                    case "ms": d = Duration.ofMillis(n); break;
                    case "s": d = Duration.ofSeconds(n); break;
                    case "m": case "min": d = Duration.ofMinutes(n); break;
                    case "h": d = Duration.ofHours(n); break;
                    case "d": d = Duration.ofDays(n); break;
                    default: d = Duration.of(n, bareUnit);
                }
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException(expected);
            }
            if (d.compareTo(min) < 0) {
                throw new IllegalArgumentException("must be at least " + min.toMillis() + " ms");
            }
            return d;
        }, false);
    }

    /** One of an enum's constants, written in lower case. */
    public static <E extends Enum<E>> Flag<E> choice(String name, Class<E> type, E defaultValue, String description) {
        String choices = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining("|"));
        return new Flag<>(name, choices, description, defaultValue, value -> {
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(value.trim())) {
                    return constant;
                }
            }
            throw new IllegalArgumentException("expected one of " + choices);
        }, false);
    }

    /** A flag without value: present means true. */
    public static Flag<Boolean> enabledBy(String name, String description) {
        return new Flag<>(name, null, description, false, value -> true, true);
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public T defaultValue() {
        return defaultValue;
    }

    boolean isSwitch() {
        return isSwitch;
    }

    String valueHint() {
        return valueHint;
    }

    T read(String raw) throws UsageException {
        try {
            return reader.apply(raw);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + name + " '" + raw + "': " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Flag && ((Flag<?>) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name);
    }

    @Override
    public String toString() {
        return "--" + name;
    }
}
