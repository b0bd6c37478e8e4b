package dev.flinkpipelines.testkit.corpus;

/**
 * A value that is well-formed JSON of the field's type but that the topic's contract forbids (a
 * negative id, an unknown enum value, a timestamp in the year 10000), with the code it must get.
 *
 * @param valueJson the value exactly as it goes into the record, e.g. {@code -1} or {@code
 *     "refund"}
 */
public record Violation(MalformedKind kind, String valueJson, ExpectedCode expected) {

    public Violation {
        if (!kind.isContractViolation()) {
            throw new IllegalArgumentException(kind + " is not a kind of contract violation");
        }
    }

    public static Violation outOfRange(String valueJson) {
        return new Violation(
                MalformedKind.OUT_OF_RANGE_VALUE, valueJson, ExpectedCode.OUT_OF_RANGE);
    }

    public static Violation badEnum(String value) {
        return new Violation(MalformedKind.BAD_ENUM, quoted(value), ExpectedCode.INVALID_VALUE);
    }

    public static Violation badFormat(String valueJson) {
        return new Violation(MalformedKind.BAD_FORMAT, valueJson, ExpectedCode.INVALID_VALUE);
    }

    /** A timestamp that cannot be read as one (INVALID_VALUE), e.g. no offset or 30 February. */
    public static Violation malformedTimestamp(String valueJson) {
        return new Violation(MalformedKind.BAD_TIMESTAMP, valueJson, ExpectedCode.INVALID_VALUE);
    }

    /** A readable timestamp outside the range the contract allows (OUT_OF_RANGE). */
    public static Violation timestampOutOfRange(String valueJson) {
        return new Violation(MalformedKind.BAD_TIMESTAMP, valueJson, ExpectedCode.OUT_OF_RANGE);
    }

    /** A JSON string literal of {@code s}; {@code s} must need no escaping. */
    static String quoted(String s) {
        return "\"" + s + "\"";
    }
}
