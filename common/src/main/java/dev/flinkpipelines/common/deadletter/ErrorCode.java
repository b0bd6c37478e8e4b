package dev.flinkpipelines.common.deadletter;

/** Why a record became a dead letter; stored as {@code dead_letters.error_code}. */
public enum ErrorCode {
    /** The record has no value bytes (empty or a tombstone). */
    EMPTY_RECORD,
    /** The bytes are not valid UTF-8. */
    INVALID_UTF8,
    /** Not parseable JSON (syntax error, trailing garbage, duplicate keys). */
    NOT_JSON,
    /** Valid JSON, but not an object. */
    NOT_AN_OBJECT,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /**
     * A field has the wrong JSON type (a string where a number belongs, a fraction for an id...).
     */
    WRONG_TYPE,
    /** A number outside its allowed range, including numbers too large for their type. */
    OUT_OF_RANGE,
    /**
     * A value that is well typed but not allowed (unknown enum value, bad timestamp format, too
     * long).
     */
    INVALID_VALUE,
    /** An unexpected failure while parsing; the record is kept rather than crashing the job. */
    INTERNAL_ERROR
}
