package dev.flinkpipelines.common.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.flinkpipelines.common.deadletter.ErrorCode;
import dev.flinkpipelines.common.time.IsoTimestamps;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A JSON object read strictly, with typed accessors that fail with a dead-letter code instead of
 * guessing: a number is never read from a string, a fraction is never truncated into an id, a
 * number too large for its type is out of range, not wrapped around.
 */
public final class JsonRecord {

    private static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    // exact numbers: no float rounding of amounts, no silent overflow of ids
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
                    .build();

    /**
     * The event times a record may carry, inclusive: 2000-01-01 and 2100-01-01 (UTC). ISO-8601
     * reaches the years +-999,999,999, whose epoch milliseconds overflow a long where the source
     * assigns event time (the job failed on every restart), years after 294276 do not fit
     * PostgreSQL's TIMESTAMPTZ, and any time far from now throws the watermark around.
     */
    public static final Instant EARLIEST_EVENT_TIME = Instant.parse("2000-01-01T00:00:00Z");

    public static final Instant LATEST_EVENT_TIME = Instant.parse("2100-01-01T00:00:00Z");

    private static final JsonFactory FACTORY = MAPPER.getFactory();

    /** Reads one value in the middle of a record: what follows it is the record's next field. */
    private static final ObjectReader VALUE_READER =
            MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * The object's fields. Only nested objects and arrays are trees; the top level is read from the
     * token stream into this map, which is what every parser reads (building Jackson's tree and
     * walking it again cost 7-17 % of a job's CPU in the benchmark's profiles).
     */
    private final Map<String, JsonNode> fields;

    private JsonRecord(Map<String, JsonNode> fields) {
        this.fields = fields;
    }

    /** A nested JSON object (an order item), read with the same strict accessors. */
    public static JsonRecord of(JsonNode object) {
        if (!object.isObject()) {
            throw new IllegalArgumentException("not a JSON object: " + object.getNodeType());
        }
        Map<String, JsonNode> fields = new HashMap<>();
        object.properties().forEach(e -> fields.put(e.getKey(), e.getValue()));
        return new JsonRecord(fields);
    }

    /** Decodes strict UTF-8 and parses one JSON object. */
    public static JsonRecord parse(byte[] bytes) throws InvalidRecordException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidRecordException(ErrorCode.EMPTY_RECORD, "record has no value");
        }
        String text;
        try {
            text =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes))
                            .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidRecordException(ErrorCode.INVALID_UTF8, "value is not valid UTF-8");
        }
        if (text.isBlank()) {
            throw new InvalidRecordException(ErrorCode.EMPTY_RECORD, "record value is blank");
        }
        try (JsonParser parser = FACTORY.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw notAnObject(text);
            }
            Map<String, JsonNode> fields = new HashMap<>();
            // nextFieldName, as Jackson's tree reads objects: its errors name what was expected the
            // same way; a duplicate name fails here (the factory's STRICT_DUPLICATE_DETECTION)
            for (String name = parser.nextFieldName();
                    name != null;
                    name = parser.nextFieldName()) {
                fields.put(name, value(parser, parser.nextToken()));
            }
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                throw new InvalidRecordException(
                        ErrorCode.NOT_JSON,
                        "not valid JSON: Trailing token (of type "
                                + trailing
                                + ") found after value (bound as `com.fasterxml.jackson.databind.JsonNode`): not allowed as per"
                                + " `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`");
            }
            return new JsonRecord(fields);
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException(
                    ErrorCode.NOT_JSON, "not valid JSON: " + e.getOriginalMessage());
        } catch (NumberFormatException e) {
            // valid JSON, but an exponent beyond 2^31 (1e2147483648) that no BigDecimal can hold:
            // Jackson throws this bare, and it is the record's fault, not a parser bug
            throw new InvalidRecordException(
                    ErrorCode.OUT_OF_RANGE,
                    "a number is beyond what can be read: " + abbreviate(e.getMessage()));
        } catch (IOException e) {
            throw new IllegalStateException("reading JSON from memory failed", e);
        }
    }

    /**
     * The value at the parser's current token, as the node Jackson's tree would hold under {@link
     * #MAPPER}'s settings: integers as BigIntegerNode, fractions as exact (normalised) decimals,
     * objects and arrays as trees.
     */
    private static JsonNode value(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case VALUE_STRING:
                return TextNode.valueOf(parser.getText());
            case VALUE_NUMBER_INT:
                return BigIntegerNode.valueOf(parser.getBigIntegerValue());
            case VALUE_TRUE:
                return BooleanNode.TRUE;
            case VALUE_FALSE:
                return BooleanNode.FALSE;
            case VALUE_NULL:
                return NullNode.instance;
            default:
                // fractions (the tree's decimal normalisation), nested objects and arrays
                return VALUE_READER.readTree(parser);
        }
    }

    /**
     * Not an object, or not even JSON: read it whole as before, so a syntax error anywhere wins
     * over the kind of value, and the reason names what was found. Rare; speed does not matter.
     */
    private static InvalidRecordException notAnObject(String text) throws JsonProcessingException {
        JsonNode node = MAPPER.readTree(text);
        return new InvalidRecordException(
                ErrorCode.NOT_AN_OBJECT,
                "expected a JSON object, got "
                        + (node == null
                                ? "nothing"
                                : node.getNodeType().toString().toLowerCase(Locale.ROOT)));
    }

    private JsonNode required(String field) throws InvalidRecordException {
        JsonNode value = fields.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidRecordException(
                    ErrorCode.MISSING_FIELD, "missing required field '" + field + "'");
        }
        return value;
    }

    /** A present field of the expected JSON type, else WRONG_TYPE naming what was expected. */
    private JsonNode required(String field, Predicate<JsonNode> isExpectedType, String expected)
            throws InvalidRecordException {
        JsonNode value = required(field);
        if (!isExpectedType.test(value)) {
            throw new InvalidRecordException(
                    ErrorCode.WRONG_TYPE,
                    "field '" + field + "' must be " + expected + ", got " + describe(value));
        }
        return value;
    }

    public boolean has(String field) {
        JsonNode value = fields.get(field);
        return value != null && !value.isNull();
    }

    /** An integral JSON number within [min, max]. */
    public long requireLong(String field, long min, long max) throws InvalidRecordException {
        JsonNode value = required(field, JsonNode::isIntegralNumber, "a whole number");
        BigInteger big = value.bigIntegerValue();
        if (big.compareTo(BigInteger.valueOf(min)) < 0
                || big.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new InvalidRecordException(
                    ErrorCode.OUT_OF_RANGE,
                    "field '"
                            + field
                            + "' is "
                            + abbreviate(big.toString())
                            + ", allowed "
                            + min
                            + ".."
                            + max);
        }
        return big.longValue();
    }

    public int requireInt(String field, int min, int max) throws InvalidRecordException {
        return (int) requireLong(field, min, max);
    }

    /** A JSON number kept exactly as written (no binary floating point on the way). */
    public BigDecimal requireDecimal(String field) throws InvalidRecordException {
        return required(field, JsonNode::isNumber, "a number").decimalValue();
    }

    /**
     * A non-blank JSON string of at most {@code maxLength} characters, without NUL or half a
     * surrogate pair.
     */
    public String requireString(String field, int maxLength) throws InvalidRecordException {
        String s = required(field, JsonNode::isTextual, "a string").textValue();
        if (s.isBlank()) {
            throw new InvalidRecordException(
                    ErrorCode.INVALID_VALUE, "field '" + field + "' is blank");
        }
        if (s.length() > maxLength) {
            throw new InvalidRecordException(
                    ErrorCode.INVALID_VALUE,
                    "field '"
                            + field
                            + "' has "
                            + s.length()
                            + " characters, at most "
                            + maxLength
                            + " allowed");
        }
        if (s.indexOf('\0') >= 0) {
            // PostgreSQL text cannot hold NUL
            throw new InvalidRecordException(
                    ErrorCode.INVALID_VALUE, "field '" + field + "' contains a NUL character");
        }
        int unpaired = unpairedSurrogate(s);
        if (unpaired >= 0) {
            // JSON can escape half a surrogate pair (\uD800); it is not a character, UTF-8 cannot
            // encode it, and the driver would store '?' instead: the row would differ from the
            // record
            throw new InvalidRecordException(
                    ErrorCode.INVALID_VALUE,
                    String.format(
                            "field '%s' holds an unpaired surrogate \\u%04X at character %d, which is not a character",
                            field, (int) s.charAt(unpaired), unpaired));
        }
        return s;
    }

    /** The index of the first surrogate that is not half of a high-low pair, or -1. */
    private static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** An optional string: null when absent or null, else checked like {@link #requireString}. */
    public String optionalString(String field, int maxLength) throws InvalidRecordException {
        return has(field) ? requireString(field, maxLength) : null;
    }

    public boolean requireBoolean(String field) throws InvalidRecordException {
        return required(field, JsonNode::isBoolean, "true or false").booleanValue();
    }

    /**
     * An ISO-8601 instant with an offset, e.g. {@code 2025-11-30T15:30:00Z}, between {@link
     * #EARLIEST_EVENT_TIME} and {@link #LATEST_EVENT_TIME}.
     */
    public Instant requireInstant(String field) throws InvalidRecordException {
        String s = requireString(field, 64);
        Instant instant;
        try {
            instant = IsoTimestamps.parse(s);
        } catch (DateTimeParseException e) {
            throw new InvalidRecordException(
                    ErrorCode.INVALID_VALUE,
                    "field '"
                            + field
                            + "' is not an ISO-8601 timestamp with offset (e.g. 2025-11-30T15:30:00Z): '"
                            + abbreviate(s)
                            + "'");
        }
        if (instant.isBefore(EARLIEST_EVENT_TIME) || instant.isAfter(LATEST_EVENT_TIME)) {
            throw new InvalidRecordException(
                    ErrorCode.OUT_OF_RANGE,
                    "field '"
                            + field
                            + "' is "
                            + abbreviate(s)
                            + ", allowed "
                            + EARLIEST_EVENT_TIME
                            + ".."
                            + LATEST_EVENT_TIME);
        }
        return instant;
    }

    /**
     * A string that must be one of an enum's constants, compared ignoring ASCII case only: Java's
     * upper-casing also turns 'ſ' into 'S' and 'ı' into 'I', which would take "ſuccess" for
     * success.
     */
    public <E extends Enum<E>> E requireEnum(String field, Class<E> type)
            throws InvalidRecordException {
        String s = requireString(field, 64);
        if (isAscii(s)) {
            String name = s.toUpperCase(Locale.ROOT);
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(name)) {
                    return constant;
                }
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E constant : type.getEnumConstants()) {
            allowed.append(allowed.length() == 0 ? "" : ", ")
                    .append(constant.name().toLowerCase(Locale.ROOT));
        }
        throw new InvalidRecordException(
                ErrorCode.INVALID_VALUE,
                "field '" + field + "' is '" + abbreviate(s) + "', expected one of " + allowed);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * A number for a reason: as written when short, else in scientific notation, abbreviated. Never
     * {@code toPlainString} of any number: for 1e999999999 that is a billion characters.
     */
    public static String describe(BigDecimal number) {
        boolean plainIsShort = number.precision() <= 40 && Math.abs((long) number.scale()) <= 40;
        return abbreviate(plainIsShort ? number.toPlainString() : number.toString());
    }

    private static String describe(JsonNode value) {
        return value.getNodeType().toString().toLowerCase(Locale.ROOT)
                + " "
                + abbreviate(value.toString());
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /**
     * A field as it was written, null when absent: for parsers of nested structures (order items).
     */
    public JsonNode get(String field) {
        return fields.get(field);
    }

    /** Every field, for tests comparing this reading with Jackson's tree. */
    Map<String, JsonNode> fields() {
        return Collections.unmodifiableMap(fields);
    }
}
