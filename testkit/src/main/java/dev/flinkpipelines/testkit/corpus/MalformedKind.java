package dev.flinkpipelines.testkit.corpus;

/** The kinds of malformed record the corpus holds, each documented in one line. */
public enum MalformedKind {
    EMPTY("a zero-length value"),
    TOMBSTONE("no value at all (a Kafka tombstone); its raw_bytes are empty"),
    WHITESPACE_ONLY(
            "nothing but whitespace: spaces, tabs, line breaks, vertical tab, form feed, Unicode spaces"),
    NUL_BYTES(
            "NUL bytes inside and around the JSON: at every character boundary of the valid record, alone, in runs, inside literals"),
    LONE_CONTINUATION_BYTE(
            "a UTF-8 continuation byte (0x80, 0xBF) without a lead byte, at every character boundary"),
    INVALID_UTF8_BYTE(
            "a byte that never occurs in UTF-8 (0xC0, 0xC1, 0xF5, 0xF8, 0xFE, 0xFF), at every character boundary"),
    OVERLONG_ENCODING(
            "an overlong UTF-8 encoding of '/', '\"', '{' or NUL, at every character boundary"),
    TRUNCATED_MULTIBYTE(
            "the first bytes of a 2-, 3- or 4-byte UTF-8 sequence without the rest, at every character boundary and at the end"),
    ENCODED_SURROGATE(
            "a surrogate code point (U+D800..U+DFFF) encoded in UTF-8, alone or as a CESU-8 pair, at every character boundary"),
    UTF8_BOM(
            "the valid record after a UTF-8 byte order mark (RFC 8259: a sender must not add one)"),
    UTF16_ENCODED(
            "the valid record encoded as UTF-16 or UTF-32, big and little endian, with and without a byte order mark"),
    TRUNCATED(
            "every proper prefix of the valid record: cut inside keys, strings, numbers, escapes, between tokens"),
    DEEP_NESTING(
            "arrays and objects nested beyond Jackson's limit of 1000 levels, at top level and in fields, closed and unclosed; 1000 levels in all is only a wrong type"),
    HUGE_PAYLOAD(
            "hundreds of KB (at most "
                    + MalformedCorpus.MAX_RECORD_BYTES
                    + " bytes, under Kafka's 1 MB default) breaking the contract in different ways"),
    TOP_LEVEL_NOT_OBJECT(
            "valid JSON that is not an object: arrays, strings, numbers, null, true, false"),
    TRAILING_GARBAGE(
            "the valid record followed by more: a token, a second record, a stray brace or comma"),
    NOT_JSON_TEXT(
            "text that is not JSON at all: words, XML, CSV, key=value, a lone brace, an unterminated string"),
    KEY_WITHOUT_VALUE("a field's key with nothing after its colon, or without a colon"),
    UNQUOTED_KEY("a field's key without quotes"),
    SINGLE_QUOTES("a field's key or string value in single quotes"),
    COMMENTS("/* */, // and # comments before keys, before values and after the record"),
    NON_STANDARD_NUMBER(
            "NaN, Infinity, a leading plus or zero, a bare decimal point, hex, underscores, non-ASCII digits in a number field"),
    NUMBER_OVERFLOW(
            "numbers beyond every range in a number field: +-2^63, 2^64, +-2^70, +-1e400, exponents near and beyond 2^31, 1e-400"),
    DUPLICATE_KEY("a field given twice: the same value, null, adjacent or apart"),
    MISSING_FIELD(
            "a required field left out or its key misspelt in case or spacing; the empty object; only unknown fields"),
    NULL_FIELD("a required field set to null"),
    WRONG_TYPE(
            "a field holding a JSON type it must not have: string, number, fraction, boolean, array, object"),
    EMPTY_STRING("a string field that is empty or only whitespace"),
    STRING_TOO_LONG(
            "a length-limited string field over its limit in 1-, 2- and 3-byte characters, or one that grows past it when lower-cased"),
    NUL_ESCAPE(
            "a string field holding an escaped NUL (\\u0000), which PostgreSQL text cannot store"),
    UNESCAPED_CONTROL_CHAR("a raw control character U+0000..U+001F inside a string value"),
    INVALID_ESCAPE(
            "an escape JSON does not define (\\x, \\U, \\', \\a, \\0), a short or non-hex \\u, a backslash before the closing quote"),
    LONE_SURROGATE_ESCAPE(
            "a string field with an unpaired surrogate escape (\\uD800, \\uDFFF, a reversed pair): not a character"),
    OUT_OF_RANGE_VALUE(
            "a well-typed value outside the contract's range: ids <= 0, negative amounts, durations > 86400, item counts, line totals"),
    BAD_ENUM(
            "a string that is not one of the contract's values, including look-alikes that upper-case to one (\u017F, \u0131)"),
    BAD_TIMESTAMP(
            "a timestamp the contract rejects: malformed, impossible dates, no offset, epoch seconds, outside 2000..2100"),
    BAD_FORMAT(
            "a value of the wrong shape: not a UUID, characters an id may not hold, money with more than 2 decimals");

    private final String description;

    MalformedKind(String description) {
        this.description = description;
    }

    /** One line saying what records of this kind look like. */
    public String description() {
        return description;
    }

    /** Kinds that come from a field's {@link Violation}s, which only the contract can name. */
    public boolean isContractViolation() {
        return this == OUT_OF_RANGE_VALUE
                || this == BAD_ENUM
                || this == BAD_TIMESTAMP
                || this == BAD_FORMAT
                || this == STRING_TOO_LONG;
    }
}
