package dev.flinkpipelines.testkit.corpus;

/**
 * The {@code dead_letters.error_code} a malformed record must get (README, Tables → dead_letters).
 * The test kit does not depend on {@code common}, so these are the contract's names; common's own
 * corpus test checks each against the parsers' {@code ErrorCode}. {@code INTERNAL_ERROR} is absent
 * on purpose: a corpus record that gets it has found a parser defect.
 */
public enum ExpectedCode {
    EMPTY_RECORD,
    INVALID_UTF8,
    NOT_JSON,
    NOT_AN_OBJECT,
    MISSING_FIELD,
    WRONG_TYPE,
    OUT_OF_RANGE,
    INVALID_VALUE
}
