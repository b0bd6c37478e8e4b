package dev.flinkpipelines.common.options;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.util.TimeUtils;

/**
 * One command-line flag as the project declares it: name, meaning, default, and how a value is read
 * and checked. {@link CommandLine} hands every flag to picocli, which does the parsing; a value
 * that does not read becomes a one-line {@link UsageException} naming the flag and what was
 * expected, never a stack trace.
 *
 * <p>Durations read like Flink's own configuration ({@link TimeUtils#parseDuration}): {@code 500
 * ms}, {@code 5s}, {@code 1 min}, {@code 24 h}; a bare number is milliseconds, for every flag.
 */
public final class Flag<T> {

    /** Reads one raw value; throws IllegalArgumentException saying what was expected. */
    @FunctionalInterface
    public interface Reader<T> extends Function<String, T> {}

    private final String name;
    private final String valueHint;
    private final String description;
    private final T defaultValue;
    private final Reader<?> reader;
    private final Kind kind;

    /**
     * Whether an error may quote the value given: not for secrets, nor for values that may hold
     * one.
     */
    private final boolean quote;

    /** How often a flag may be given and what it holds. */
    enum Kind {
        /** {@code --name VALUE}, at most once. */
        SINGLE,
        /** {@code --name}, no value: present means true. */
        SWITCH,
        /** {@code --name VALUE}, any number of times; the values in order. */
        REPEATED
    }

    private Flag(
            String name,
            String valueHint,
            String description,
            T defaultValue,
            Reader<?> reader,
            Kind kind,
            boolean quote) {
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException(
                    "flag names are lower-case words with dashes: " + name);
        }
        this.name = name;
        this.valueHint = valueHint;
        this.description = description;
        this.defaultValue = defaultValue;
        this.reader = reader;
        this.kind = kind;
        this.quote = quote;
    }

    private static <T> Flag<T> single(
            String name, String hint, String description, T defaultValue, Reader<T> reader) {
        return new Flag<>(name, hint, description, defaultValue, reader, Kind.SINGLE, true);
    }

    /**
     * A flag read by {@code reader}; {@code quote} false keeps the value out of error messages (for
     * values that may carry a secret).
     */
    public static <T> Flag<T> of(
            String name,
            String hint,
            String description,
            T defaultValue,
            Reader<T> reader,
            boolean quote) {
        return new Flag<>(name, hint, description, defaultValue, reader, Kind.SINGLE, quote);
    }

    public static Flag<String> string(String name, String defaultValue, String description) {
        return single(name, "TEXT", description, defaultValue, Flag::nonEmpty);
    }

    /**
     * A file's path; the file is read later, by whoever needs it (for a secret: where it is used).
     */
    public static Flag<String> path(String name, String description) {
        return single(name, "PATH", description, null, Flag::nonEmpty);
    }

    /**
     * A value that is a secret: never echoed in an error, never shown as a default. Prefer a file
     * ({@link #path}) for secrets: a flag's value shows in {@code ps} and shell history.
     */
    public static Flag<String> secret(String name, String description) {
        return new Flag<>(name, "SECRET", description, null, Flag::nonEmpty, Kind.SINGLE, false);
    }

    /** A whole number of at least {@code min}; {@code defaultValue} may be null (unset). */
    public static Flag<Integer> integer(
            String name, int min, Integer defaultValue, String description) {
        return single(
                name,
                "N",
                description,
                defaultValue,
                value -> {
                    try {
                        int n = Integer.parseInt(value.trim());
                        if (n >= min) {
                            return n;
                        }
                    } catch (NumberFormatException e) {
                        // falls through to the one message
                    }
                    throw new IllegalArgumentException("expected a whole number >= " + min);
                });
    }

    /** A decimal number of at least 0 (rates, fractions). */
    public static Flag<Double> decimal(String name, double defaultValue, String description) {
        return single(
                name,
                "NUMBER",
                description,
                defaultValue,
                value -> {
                    try {
                        double d = Double.parseDouble(value.trim());
                        if (d >= 0 && !Double.isInfinite(d)) {
                            return d;
                        }
                    } catch (NumberFormatException e) {
                        // falls through to the one message
                    }
                    throw new IllegalArgumentException("expected a number >= 0");
                });
    }

    /**
     * A duration in Flink's syntax, at least {@code min}; {@code defaultValue} may be null (unset).
     */
    public static Flag<Duration> duration(
            String name, Duration defaultValue, Duration min, String description) {
        return single(
                name,
                "DURATION",
                description,
                defaultValue,
                value -> {
                    Duration d;
                    try {
                        d = TimeUtils.parseDuration(value);
                    } catch (IllegalArgumentException | ArithmeticException e) {
                        throw new IllegalArgumentException(
                                "expected a duration such as 500 ms, 5 s, 5 min or 24 h (a bare number is milliseconds)");
                    }
                    if (d.compareTo(min) < 0) {
                        throw new IllegalArgumentException("must be at least " + render(min));
                    }
                    return d;
                });
    }

    /** One of an enum's constants, written in lower case. */
    public static <E extends Enum<E>> Flag<E> choice(
            String name, Class<E> type, E defaultValue, String description) {
        String choices =
                Arrays.stream(type.getEnumConstants())
                        .map(e -> e.name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining("|"));
        return single(
                name,
                choices,
                description,
                defaultValue,
                value -> {
                    for (E constant : type.getEnumConstants()) {
                        if (constant.name().equalsIgnoreCase(value.trim())) {
                            return constant;
                        }
                    }
                    throw new IllegalArgumentException("expected one of " + choices);
                });
    }

    /** A flag without value: present means true. */
    public static Flag<Boolean> enabledBy(String name, String description) {
        return new Flag<>(name, null, description, false, value -> true, Kind.SWITCH, true);
    }

    /**
     * {@code --name VALUE} as often as needed; unset is the empty list. {@code quote} as in {@link
     * #of}.
     */
    public static Flag<List<String>> repeated(
            String name,
            String valueHint,
            String description,
            Reader<String> reader,
            boolean quote) {
        return new Flag<>(name, valueHint, description, List.of(), reader, Kind.REPEATED, quote);
    }

    private static String nonEmpty(String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException("expected a non-empty value");
        }
        return value;
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

    Kind kind() {
        return kind;
    }

    String valueHint() {
        return valueHint;
    }

    /** A secret's default is never shown, and its value never quoted. */
    boolean isSecret() {
        return !quote;
    }

    /**
     * One raw value read; a bad one is a usage error that quotes it, unless it may hold a secret.
     */
    Object read(String raw) throws UsageException {
        try {
            return reader.apply(raw);
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    "--" + name + (quote ? " '" + raw + "'" : "") + ": " + e.getMessage());
        }
    }

    /** A default as {@code --help} shows it (and as the flag reads it back). */
    static String render(Object value) {
        if (value instanceof Duration) {
            Duration d = (Duration) value;
            if (d.isZero()) {
                return "0";
            }
            return d.toMillis() % 1000 != 0
                    ? d.toMillis() + "ms"
                    : d.toSeconds() % 60 != 0
                            ? d.toSeconds() + "s"
                            : d.toMinutes() % 60 != 0 ? d.toMinutes() + "min" : d.toHours() + "h";
        }
        if (value instanceof Enum) {
            return ((Enum<?>) value).name().toLowerCase(Locale.ROOT);
        }
        return String.valueOf(value);
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
