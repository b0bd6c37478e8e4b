package dev.flinkpipelines.testkit.corpus;

import static dev.flinkpipelines.testkit.corpus.ExpectedCode.EMPTY_RECORD;
import static dev.flinkpipelines.testkit.corpus.ExpectedCode.INVALID_UTF8;
import static dev.flinkpipelines.testkit.corpus.ExpectedCode.INVALID_VALUE;
import static dev.flinkpipelines.testkit.corpus.ExpectedCode.MISSING_FIELD;
import static dev.flinkpipelines.testkit.corpus.ExpectedCode.NOT_AN_OBJECT;
import static dev.flinkpipelines.testkit.corpus.ExpectedCode.NOT_JSON;
import static dev.flinkpipelines.testkit.corpus.ExpectedCode.OUT_OF_RANGE;
import static dev.flinkpipelines.testkit.corpus.ExpectedCode.WRONG_TYPE;

import dev.flinkpipelines.testkit.corpus.Json.Member;
import dev.flinkpipelines.testkit.corpus.Json.Obj;
import dev.flinkpipelines.testkit.corpus.Json.Raw;
import dev.flinkpipelines.testkit.corpus.Json.Style;
import dev.flinkpipelines.testkit.corpus.TopicSchema.Located;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A deterministic corpus of malformed records for one topic, built from its {@link TopicSchema}:
 * every {@link MalformedKind}, each record with the error code its dead letter must carry. Only
 * records the contract makes invalid: a variation a job accepts on purpose (an exponent in money, a
 * lower-case 'z' in a timestamp, an unknown field) is not here.
 *
 * <p>Byte-level kinds put each of their byte sequences at every character boundary of the valid
 * record in each of five layouts, which is most of the corpus's size; field-level kinds break one
 * field of an otherwise valid record, so the expected code is that field's.
 */
public final class MalformedCorpus {

    /**
     * The largest record: under Kafka's default limits, which the test broker keeps (broker {@code
     * message.max.bytes} 1,048,588, producer {@code max.request.size} 1,048,576).
     */
    public static final int MAX_RECORD_BYTES = 900_000;

    /**
     * Jackson's default nesting limit (StreamReadConstraints): depth 1000 parses, 1001 does not.
     */
    static final int JACKSON_MAX_DEPTH = 1000;

    private final List<MalformedRecord> records = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();
    private final Obj template;
    private final TopicSchema schema;

    private MalformedCorpus(TopicSchema schema) {
        this.schema = schema;
        this.template = schema.template();
    }

    /**
     * The corpus of {@code schema}'s topic; the same schema always gives the same records in the
     * same order.
     */
    public static List<MalformedRecord> generate(TopicSchema schema) {
        MalformedCorpus corpus = new MalformedCorpus(schema);
        corpus.emptyAndWhitespace();
        corpus.byteLevel();
        corpus.truncated();
        corpus.encodings();
        corpus.deepNesting();
        corpus.huge();
        corpus.notAnObjectOrNotJson();
        corpus.syntaxPerField();
        corpus.valuesPerField();
        corpus.contractViolations();
        return Collections.unmodifiableList(corpus.records);
    }

    /** How many records of each kind, for reports. */
    public static Map<MalformedKind, Integer> countByKind(List<MalformedRecord> corpus) {
        Map<MalformedKind, Integer> counts = new EnumMap<>(MalformedKind.class);
        corpus.forEach(r -> counts.merge(r.kind(), 1, Integer::sum));
        return counts;
    }

    // ---- record-level kinds -------------------------------------------------------------------

    private void emptyAndWhitespace() {
        add(MalformedKind.EMPTY, "zero-length value", new byte[0], EMPTY_RECORD);
        add(MalformedKind.TOMBSTONE, "null value", null, EMPTY_RECORD);
        // what Java's String.isBlank calls whitespace, which is what the parser checks
        String[] spaces = {
            " ", "\t", "\n", "\r", "\r\n", "\u000B", "\f", "\u2028", "\u2029", "\u3000", "\u2003"
        };
        for (int i = 0; i < 64; i++) {
            StringBuilder s = new StringBuilder();
            for (int j = 0; j <= i % 16; j++) {
                s.append(spaces[(i + j * (1 + i / 16)) % spaces.length]);
            }
            add(
                    MalformedKind.WHITESPACE_ONLY,
                    escapeForDetail(s.toString()),
                    utf8(s.toString()),
                    EMPTY_RECORD);
        }
    }

    /** Byte sequences that break UTF-8, and NUL, at every character boundary of every layout. */
    private void byteLevel() {
        insertEverywhere(MalformedKind.NUL_BYTES, NOT_JSON, new int[] {0x00});
        insertEverywhere(
                MalformedKind.LONE_CONTINUATION_BYTE,
                INVALID_UTF8,
                new int[] {0x80},
                new int[] {0xBF});
        insertEverywhere(
                MalformedKind.INVALID_UTF8_BYTE,
                INVALID_UTF8,
                new int[] {0xC0},
                new int[] {0xC1},
                new int[] {0xF5},
                new int[] {0xF8},
                new int[] {0xFE},
                new int[] {0xFF});
        insertEverywhere(
                MalformedKind.OVERLONG_ENCODING,
                INVALID_UTF8,
                new int[] {0xC0, 0xAF},
                new int[] {0xC0, 0xA2},
                new int[] {0xC1, 0xBB},
                new int[] {0xC0, 0x80},
                new int[] {0xE0, 0x80, 0xAF},
                new int[] {0xF0, 0x80, 0x80, 0xAF});
        insertEverywhere(
                MalformedKind.TRUNCATED_MULTIBYTE,
                INVALID_UTF8,
                new int[] {0xC3},
                new int[] {0xE2},
                new int[] {0xE2, 0x82},
                new int[] {0xF0, 0x9F},
                new int[] {0xF0, 0x9F, 0x98});
        insertEverywhere(
                MalformedKind.ENCODED_SURROGATE,
                INVALID_UTF8,
                new int[] {0xED, 0xA0, 0x80},
                new int[] {0xED, 0xBF, 0xBF},
                new int[] {0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80});

        String compact = Style.COMPACT.render(template);
        add(MalformedKind.NUL_BYTES, "a single NUL", new byte[] {0}, NOT_JSON);
        add(MalformedKind.NUL_BYTES, "16 NULs", new byte[16], NOT_JSON);
        add(
                MalformedKind.NUL_BYTES,
                "NULs around the record",
                utf8("\0\0" + compact + "\0\0"),
                NOT_JSON);
        add(
                MalformedKind.NUL_BYTES,
                "a NUL after every character",
                utf8(compact.replaceAll("(?s)(.)", "$1\0")),
                NOT_JSON);
        // Jackson quotes a bad literal in its message, NULs included: the reason must still be
        // storable
        Located first = schema.locatedFields().get(0);
        for (String literal : new String[] {"tr\0ue", "nu\0ll", "fal\0se", "\0null"}) {
            add(
                    MalformedKind.NUL_BYTES,
                    first.label() + " = " + escapeForDetail(literal),
                    utf8(Style.COMPACT.render(template.with(first.path(), literal))),
                    NOT_JSON);
        }
    }

    private void insertEverywhere(MalformedKind kind, ExpectedCode expected, int[]... sequences) {
        for (Style style : Style.values()) {
            byte[] valid = utf8(style.render(template));
            for (int position : characterBoundaries(valid)) {
                for (int[] sequence : sequences) {
                    add(
                            kind,
                            hex(sequence) + " at byte " + position + " of " + style,
                            insert(valid, position, bytes(sequence)),
                            expected);
                }
            }
        }
    }

    /**
     * Every proper prefix; a cut through a multi-byte character leaves invalid UTF-8 instead of bad
     * JSON.
     */
    private void truncated() {
        for (Style style : Style.values()) {
            byte[] valid = utf8(style.render(template));
            for (int length = 1; length < valid.length; length++) {
                boolean splitsCharacter = isContinuationByte(valid[length]);
                add(
                        MalformedKind.TRUNCATED,
                        "first " + length + " of " + valid.length + " bytes of " + style,
                        java.util.Arrays.copyOf(valid, length),
                        splitsCharacter ? INVALID_UTF8 : NOT_JSON);
            }
        }
    }

    private void encodings() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        for (Style style : Style.values()) {
            add(
                    MalformedKind.UTF8_BOM,
                    "BOM then the record, " + style,
                    concat(bom, utf8(style.render(template))),
                    NOT_JSON);
        }
        String compact = Style.COMPACT.render(template);
        add(
                MalformedKind.UTF8_BOM,
                "two BOMs then the record",
                concat(bom, bom, utf8(compact)),
                NOT_JSON);
        add(
                MalformedKind.UTF8_BOM,
                "BOM, a space, the record",
                concat(bom, utf8(" " + compact)),
                NOT_JSON);
        add(MalformedKind.UTF8_BOM, "the record then a BOM", concat(utf8(compact), bom), NOT_JSON);

        String[][] encodings = {
            {"UTF-16BE", "FEFF"},
            {"UTF-16LE", "FFFE"},
            {"UTF-32BE", "0000FEFF"},
            {"UTF-32LE", "FFFE0000"}
        };
        for (Style style : new Style[] {Style.COMPACT, Style.PRETTY_LF}) {
            for (String[] encoding : encodings) {
                byte[] encoded = style.render(template).getBytes(Charset.forName(encoding[0]));
                for (boolean withBom : new boolean[] {false, true}) {
                    byte[] value = withBom ? concat(hexBytes(encoding[1]), encoded) : encoded;
                    // ASCII text in UTF-16/32 is valid UTF-8 full of NULs (not JSON); a BOM or a
                    // non-ASCII character is not UTF-8 at all
                    add(
                            MalformedKind.UTF16_ENCODED,
                            encoding[0] + (withBom ? " with BOM, " : ", ") + style,
                            value,
                            isValidUtf8(value) ? NOT_JSON : INVALID_UTF8);
                }
            }
        }
    }

    private void deepNesting() {
        int beyond = JACKSON_MAX_DEPTH + 1;
        add(
                MalformedKind.DEEP_NESTING,
                beyond + " arrays",
                utf8("[".repeat(beyond) + "]".repeat(beyond)),
                NOT_JSON);
        add(
                MalformedKind.DEEP_NESTING,
                beyond + " objects",
                utf8("{\"a\":".repeat(beyond - 1) + "{}" + "}".repeat(beyond - 1)),
                NOT_JSON);
        add(
                MalformedKind.DEEP_NESTING,
                "10,000 arrays and objects alternating",
                utf8("[{\"a\":".repeat(5_000) + "1" + "}]".repeat(5_000)),
                NOT_JSON);
        add(
                MalformedKind.DEEP_NESTING,
                "200,000 unclosed arrays",
                utf8("[".repeat(200_000)),
                NOT_JSON);
        add(
                MalformedKind.DEEP_NESTING,
                "40,000 unclosed objects",
                utf8("{\"a\":".repeat(40_000)),
                NOT_JSON);
        add(
                MalformedKind.DEEP_NESTING,
                "the record under an unknown field nested " + beyond + " deep",
                utf8(
                        Style.COMPACT.render(
                                template.plus(
                                        Member.of(
                                                "deep",
                                                new Raw(
                                                        "[".repeat(beyond)
                                                                + "]".repeat(beyond)))))),
                NOT_JSON);
        for (Located f : schema.locatedFields()) {
            // the record itself is one level, an array field and its element two more
            int container = f.path().size() == 1 ? 1 : 3;
            int over = beyond - container;
            int within = JACKSON_MAX_DEPTH - container;
            add(
                    MalformedKind.DEEP_NESTING,
                    f.label() + " = " + over + " nested arrays (" + beyond + " levels)",
                    render(template.with(f.path(), "[".repeat(over) + "]".repeat(over))),
                    NOT_JSON);
            add(
                    MalformedKind.DEEP_NESTING,
                    f.label() + " = " + over + " nested objects",
                    render(
                            template.with(
                                    f.path(),
                                    "{\"a\":".repeat(over - 1) + "{}" + "}".repeat(over - 1))),
                    NOT_JSON);
            add(
                    MalformedKind.DEEP_NESTING,
                    f.label() + " = " + over + " unclosed arrays",
                    render(template.with(f.path(), "[".repeat(over))),
                    NOT_JSON);
            // exactly at the limit: it parses, and then it is simply the wrong type
            add(
                    MalformedKind.DEEP_NESTING,
                    f.label()
                            + " = "
                            + within
                            + " nested arrays ("
                            + JACKSON_MAX_DEPTH
                            + " levels)",
                    render(template.with(f.path(), "[".repeat(within) + "]".repeat(within))),
                    WRONG_TYPE);
        }
    }

    private void huge() {
        Located limited =
                schema.locatedFields().stream()
                        .filter(
                                l ->
                                        l.field().type() == FieldType.STRING
                                                && l.field().maxLength() > 0)
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                schema.name() + " has no length-limited string"));
        Located number =
                schema.locatedFields().stream()
                        .filter(
                                l ->
                                        l.field().type() == FieldType.INTEGER
                                                || l.field().type() == FieldType.MONEY)
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                schema.name() + " has no number field"));
        Located required =
                schema.locatedFields().stream()
                        .filter(l -> l.field().required())
                        .findFirst()
                        .orElseThrow();

        add(
                MalformedKind.HUGE_PAYLOAD,
                limited.label() + " of 300,000 ASCII characters",
                render(template.with(limited.path(), "\"" + "x".repeat(300_000) + "\"")),
                INVALID_VALUE);
        add(
                MalformedKind.HUGE_PAYLOAD,
                limited.label() + " of 420,000 two-byte characters",
                render(template.with(limited.path(), "\"" + "\u00e9".repeat(420_000) + "\"")),
                INVALID_VALUE);
        add(
                MalformedKind.HUGE_PAYLOAD,
                limited.label() + " = an array of 200,000 numbers",
                render(template.with(limited.path(), "[" + "1,".repeat(199_999) + "1]")),
                WRONG_TYPE);
        // Jackson refuses numbers longer than 1000 digits and keys longer than 50,000 characters
        add(
                MalformedKind.HUGE_PAYLOAD,
                number.label() + " of 400,000 digits",
                render(template.with(number.path(), "9".repeat(400_000))),
                NOT_JSON);
        add(
                MalformedKind.HUGE_PAYLOAD,
                "a key of 300,000 characters",
                render(template.plus(Member.of("k".repeat(300_000), new Raw("1")))),
                NOT_JSON);
        add(
                MalformedKind.HUGE_PAYLOAD,
                "700,000 characters in an unknown field, " + required.label() + " left out",
                render(
                        template.without(required.path())
                                .plus(
                                        Member.of(
                                                "padding",
                                                new Raw("\"" + "p".repeat(700_000) + "\"")))),
                MISSING_FIELD);
        byte[] padded =
                render(
                        template.plus(
                                Member.of("padding", new Raw("\"" + "p".repeat(500_000) + "\""))));
        add(
                MalformedKind.HUGE_PAYLOAD,
                "a 500 KB record cut in half",
                java.util.Arrays.copyOf(padded, padded.length / 2),
                NOT_JSON);
        add(
                MalformedKind.HUGE_PAYLOAD,
                "the record, 600,000 spaces, then garbage",
                utf8(Style.COMPACT.render(template) + " ".repeat(600_000) + "x"),
                NOT_JSON);
        add(
                MalformedKind.HUGE_PAYLOAD,
                "600,000 spaces then garbage",
                utf8(" ".repeat(600_000) + "x"),
                NOT_JSON);
        add(MalformedKind.HUGE_PAYLOAD, "800,000 bytes 0xFF", filled(800_000, 0xFF), INVALID_UTF8);
        add(
                MalformedKind.HUGE_PAYLOAD,
                "800,000 whitespace characters",
                utf8(" \t\r\n".repeat(200_000)),
                EMPTY_RECORD);
        add(MalformedKind.HUGE_PAYLOAD, "400,000 NULs", new byte[400_000], NOT_JSON);
        add(
                MalformedKind.HUGE_PAYLOAD,
                "300,000 unclosed arrays",
                utf8("[".repeat(300_000)),
                NOT_JSON);
        String compact = Style.COMPACT.render(template);
        int copies = 600_000 / (utf8(compact).length + 1);
        add(
                MalformedKind.HUGE_PAYLOAD,
                "an array of " + copies + " copies of the record",
                utf8("[" + (compact + ",").repeat(copies - 1) + compact + "]"),
                NOT_AN_OBJECT);
    }

    private void notAnObjectOrNotJson() {
        String compact = Style.COMPACT.render(template);
        String[] notObjects = {
            "[]",
            "[" + compact + "]",
            "[1,2,3]",
            "\"text\"",
            quoteAsJsonString(compact),
            "42",
            "-1.5e3",
            "0",
            "null",
            "true",
            "false",
            " null ",
            "\n[]\n",
            "\"\"",
            "[[]]",
            "[{}]"
        };
        for (String json : notObjects) {
            add(MalformedKind.TOP_LEVEL_NOT_OBJECT, abbreviate(json), utf8(json), NOT_AN_OBJECT);
        }
        String[] trailers = {
            "x",
            "}",
            "]",
            ",",
            "{}",
            compact,
            "\n" + compact,
            " null",
            "0",
            "\"\"",
            ";",
            "//",
            "[]",
            ":",
            "\u00a0"
        };
        for (String trailer : trailers) {
            add(
                    MalformedKind.TRAILING_GARBAGE,
                    "the record then " + abbreviate(escapeForDetail(trailer)),
                    utf8(compact + trailer),
                    NOT_JSON);
        }
        add(
                MalformedKind.TRAILING_GARBAGE,
                "the pretty record then a stray brace",
                utf8(Style.PRETTY_LF.render(template) + "\n}"),
                NOT_JSON);
        String[] notJson = {
            "hello",
            "user_id=1&movie_id=2",
            "<event id=\"1\"/>",
            "1,2,click,1701234567890",
            "undefined",
            "{",
            "}",
            "{{}}",
            "[",
            "\"unterminated",
            "{\"a\":1",
            "'single'",
            "True",
            "NULL",
            "nil",
            "-",
            "--",
            "{}}",
            "\u00ff\u00fe",
            "\u00a0{}"
        };
        for (String text : notJson) {
            add(MalformedKind.NOT_JSON_TEXT, escapeForDetail(text), utf8(text), NOT_JSON);
        }
        add(MalformedKind.MISSING_FIELD, "the empty object", utf8("{}"), MISSING_FIELD);
        add(
                MalformedKind.MISSING_FIELD,
                "the empty object with spaces",
                utf8("{ \n }"),
                MISSING_FIELD);
        add(
                MalformedKind.MISSING_FIELD,
                "only unknown fields",
                utf8("{\"unknown\":1,\"other\":\"x\"}"),
                MISSING_FIELD);
    }

    // ---- field-level kinds: one field broken, the rest valid ----------------------------------

    private void syntaxPerField() {
        for (Located f : schema.locatedFields()) {
            List<String> path = f.path();
            String label = f.label();
            add(
                    MalformedKind.KEY_WITHOUT_VALUE,
                    label + ": colon, no value",
                    render(
                            template.edit(
                                    path, m -> List.of(new Member(m.key(), true, new Raw(""))))),
                    NOT_JSON);
            add(
                    MalformedKind.KEY_WITHOUT_VALUE,
                    label + ": no colon, no value",
                    render(
                            template.edit(
                                    path, m -> List.of(new Member(m.key(), false, new Raw(""))))),
                    NOT_JSON);
            add(
                    MalformedKind.KEY_WITHOUT_VALUE,
                    label + ": no colon before the value",
                    render(
                            template.edit(
                                    path,
                                    m ->
                                            List.of(
                                                    new Member(
                                                            m.key(),
                                                            false,
                                                            withSpace(m.value()))))),
                    NOT_JSON);
            add(
                    MalformedKind.UNQUOTED_KEY,
                    label + " unquoted",
                    render(
                            template.edit(
                                    path,
                                    m ->
                                            List.of(
                                                    new Member(
                                                            path.get(path.size() - 1),
                                                            true,
                                                            m.value())))),
                    NOT_JSON);
            add(
                    MalformedKind.SINGLE_QUOTES,
                    label + " key in single quotes",
                    render(
                            template.edit(
                                    path,
                                    m ->
                                            List.of(
                                                    new Member(
                                                            "'" + path.get(path.size() - 1) + "'",
                                                            true,
                                                            m.value())))),
                    NOT_JSON);
            if (f.field().type() == FieldType.STRING) {
                add(
                        MalformedKind.SINGLE_QUOTES,
                        label + " value in single quotes",
                        render(template.with(path, "'" + stringContent(f) + "'")),
                        NOT_JSON);
            }
            for (String comment : new String[] {"/* c */", "// c\n", "# c\n"}) {
                add(
                        MalformedKind.COMMENTS,
                        escapeForDetail(comment) + " before " + label,
                        render(
                                template.edit(
                                        path,
                                        m ->
                                                List.of(
                                                        new Member(
                                                                comment + m.key(),
                                                                m.colon(),
                                                                m.value())))),
                        NOT_JSON);
            }
            add(
                    MalformedKind.COMMENTS,
                    "/* c */ before the value of " + label,
                    render(
                            template.edit(
                                    path,
                                    m ->
                                            List.of(
                                                    new Member(
                                                            m.key(),
                                                            m.colon(),
                                                            prefixed("/* c */", m.value()))))),
                    NOT_JSON);
            add(
                    MalformedKind.DUPLICATE_KEY,
                    label + " twice, same value",
                    render(template.edit(path, m -> List.of(m, m))),
                    NOT_JSON);
            add(
                    MalformedKind.DUPLICATE_KEY,
                    label + " twice, then null",
                    render(
                            template.edit(
                                    path,
                                    m -> List.of(m, new Member(m.key(), true, new Raw("null"))))),
                    NOT_JSON);
            if (path.size() == 1) {
                add(
                        MalformedKind.DUPLICATE_KEY,
                        label + " again at the end",
                        render(
                                template.plus(
                                        new Member(Json.quote(label), true, template.get(path)))),
                        NOT_JSON);
            }
        }
        String compact = Style.COMPACT.render(template);
        add(
                MalformedKind.COMMENTS,
                "// comment after the record",
                utf8(compact + "// c"),
                NOT_JSON);
        add(
                MalformedKind.COMMENTS,
                "/* comment */ before the record",
                utf8("/* c */" + compact),
                NOT_JSON);
        add(
                MalformedKind.COMMENTS,
                "# comment before the record",
                utf8("# c\n" + compact),
                NOT_JSON);
    }

    private void valuesPerField() {
        for (Located f : schema.locatedFields()) {
            List<String> path = f.path();
            String label = f.label();
            Field field = f.field();
            if (field.required()) {
                add(
                        MalformedKind.MISSING_FIELD,
                        label + " left out",
                        render(template.without(path)),
                        MISSING_FIELD);
                String name = path.get(path.size() - 1);
                add(
                        MalformedKind.MISSING_FIELD,
                        label + " spelt in upper case",
                        render(
                                template.edit(
                                        path,
                                        m ->
                                                List.of(
                                                        new Member(
                                                                Json.quote(
                                                                        name.toUpperCase(
                                                                                java.util.Locale
                                                                                        .ROOT)),
                                                                true,
                                                                m.value())))),
                        MISSING_FIELD);
                add(
                        MalformedKind.MISSING_FIELD,
                        label + " with a space in its key",
                        render(
                                template.edit(
                                        path,
                                        m ->
                                                List.of(
                                                        new Member(
                                                                Json.quote(name + " "),
                                                                true,
                                                                m.value())))),
                        MISSING_FIELD);
                add(
                        MalformedKind.NULL_FIELD,
                        label + " = null",
                        render(template.with(path, "null")),
                        MISSING_FIELD);
            }
            for (String wrong : wrongTypes(field)) {
                add(
                        MalformedKind.WRONG_TYPE,
                        label + " = " + abbreviate(wrong),
                        render(template.with(path, wrong)),
                        WRONG_TYPE);
            }
            if (field.type() == FieldType.INTEGER || field.type() == FieldType.MONEY) {
                numbers(f);
            }
            if (field.type() == FieldType.STRING) {
                strings(f);
            }
        }
    }

    private void numbers(Located f) {
        String[] nonStandard = {
            "NaN",
            "Infinity",
            "-Infinity",
            "+1",
            ".5",
            "01",
            "1.",
            "1e",
            "-",
            "0x1F",
            "1_000",
            "1 000",
            "\u0661\u0662"
        };
        for (String n : nonStandard) {
            add(
                    MalformedKind.NON_STANDARD_NUMBER,
                    f.label() + " = " + n,
                    render(template.with(f.path(), n)),
                    NOT_JSON);
        }
        boolean integer = f.field().type() == FieldType.INTEGER;
        // integers beyond a long are out of range; numbers with an exponent are not whole numbers
        // to
        // the parsers (a wrong type for an integer), while money reads them exactly and
        // range-checks
        // them; an exponent beyond 2^31 cannot be read at all: out of range either way
        Object[][] overflow = {
            {"9223372036854775808", OUT_OF_RANGE, OUT_OF_RANGE},
            {"-9223372036854775809", OUT_OF_RANGE, OUT_OF_RANGE},
            {"18446744073709551616", OUT_OF_RANGE, OUT_OF_RANGE},
            {"1180591620717411303424", OUT_OF_RANGE, OUT_OF_RANGE},
            {"-1180591620717411303424", OUT_OF_RANGE, OUT_OF_RANGE},
            {"1e400", WRONG_TYPE, OUT_OF_RANGE},
            {"-1e400", WRONG_TYPE, OUT_OF_RANGE},
            {"1e999999999", WRONG_TYPE, OUT_OF_RANGE},
            {"-1e999999999", WRONG_TYPE, OUT_OF_RANGE},
            {"1e2147483647", WRONG_TYPE, OUT_OF_RANGE},
            {"1e2147483648", OUT_OF_RANGE, OUT_OF_RANGE},
            {"1e-400", WRONG_TYPE, INVALID_VALUE},
            {"1e-999999999", WRONG_TYPE, INVALID_VALUE},
            {"1e-2147483647", WRONG_TYPE, INVALID_VALUE},
        };
        for (Object[] o : overflow) {
            add(
                    MalformedKind.NUMBER_OVERFLOW,
                    f.label() + " = " + o[0],
                    render(template.with(f.path(), (String) o[0])),
                    (ExpectedCode) (integer ? o[1] : o[2]));
        }
    }

    private void strings(Located f) {
        List<String> path = f.path();
        String label = f.label();
        String content = stringContent(f);
        for (String blank : new String[] {"", " ", "\\t", "\\n", "  \\r\\n ", "\\u3000"}) {
            add(
                    MalformedKind.EMPTY_STRING,
                    label + " = \"" + blank + "\"",
                    render(template.with(path, "\"" + blank + "\"")),
                    INVALID_VALUE);
        }
        int max = f.field().maxLength();
        if (max > 0) {
            for (String c : new String[] {"x", "\u00e9", "\u20ac"}) {
                add(
                        MalformedKind.STRING_TOO_LONG,
                        label + " of " + (max + 1) + " x '" + c + "'",
                        render(template.with(path, "\"" + c.repeat(max + 1) + "\"")),
                        INVALID_VALUE);
            }
            add(
                    MalformedKind.STRING_TOO_LONG,
                    label + " of " + 3 * max + " characters",
                    render(template.with(path, "\"" + "x".repeat(3 * max) + "\"")),
                    INVALID_VALUE);
        }
        for (String nul :
                new String[] {
                    "\\u0000",
                    content + "\\u0000",
                    content.substring(0, 1) + "\\u0000" + content.substring(1)
                }) {
            add(
                    MalformedKind.NUL_ESCAPE,
                    label + " = \"" + nul + "\"",
                    render(template.with(path, "\"" + nul + "\"")),
                    INVALID_VALUE);
        }
        for (int c = 0; c < 0x20; c++) {
            String raw = content.substring(0, 1) + (char) c + content.substring(1);
            add(
                    MalformedKind.UNESCAPED_CONTROL_CHAR,
                    label + " with a raw U+" + String.format("%04X", c),
                    render(template.with(path, "\"" + raw + "\"")),
                    NOT_JSON);
        }
        for (String escape :
                new String[] {
                    "\\x41", "\\U0041", "\\'", "\\a", "\\0", "\\u12", "\\uZZZZ", "\\u-123", "\\"
                }) {
            add(
                    MalformedKind.INVALID_ESCAPE,
                    label + " with " + escape,
                    render(template.with(path, "\"" + content + escape + "\"")),
                    NOT_JSON);
        }
        for (String surrogate :
                new String[] {
                    "\\uD800",
                    "\\uDBFF",
                    "\\uDC00",
                    "\\uDFFF",
                    "\\uDC00\\uD800",
                    content + "\\uD83D",
                    "\\uDE00" + content
                }) {
            add(
                    MalformedKind.LONE_SURROGATE_ESCAPE,
                    label + " = \"" + surrogate + "\"",
                    render(template.with(path, "\"" + surrogate + "\"")),
                    INVALID_VALUE);
        }
    }

    private void contractViolations() {
        for (Located f : schema.locatedFields()) {
            for (Violation v : f.field().violations()) {
                add(
                        v.kind(),
                        f.label() + " = " + abbreviate(v.valueJson()),
                        render(template.with(f.path(), v.valueJson())),
                        v.expected());
            }
        }
    }

    /**
     * JSON values of every type the field must not hold (null is not a type here: it is a missing
     * field).
     */
    private static List<String> wrongTypes(Field field) {
        switch (field.type()) {
            case STRING:
                return List.of(
                        "42", "-1.5", "true", "false", "[]", "[\"x\"]", "{}", "{\"v\":\"x\"}");
            case INTEGER:
                return List.of(
                        "\"42\"",
                        "1.5",
                        "-0.5",
                        "1.0",
                        "true",
                        "false",
                        "[]",
                        "[1]",
                        "{}",
                        "{\"v\":1}");
            case MONEY:
                return List.of(
                        "\"42\"", "\"1.50\"", "true", "false", "[]", "[1]", "{}", "{\"v\":1}");
            case BOOLEAN:
                return List.of(
                        "\"true\"", "\"false\"", "1", "0", "[]", "[true]", "{}", "{\"v\":true}");
            case OBJECT_ARRAY:
                String element =
                        Style.COMPACT.render(
                                new TopicSchema("element", field.elementFields()).template());
                return List.of(
                        "\"x\"",
                        "1",
                        "true",
                        "{}",
                        element,
                        "[1]",
                        "[\"x\"]",
                        "[true]",
                        "[[]]",
                        "[null]",
                        "[" + element + ",7]");
            default:
                throw new IllegalArgumentException(field.type().toString());
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private void add(MalformedKind kind, String detail, byte[] value, ExpectedCode expected) {
        if (value != null && value.length > MAX_RECORD_BYTES) {
            throw new IllegalStateException(
                    kind
                            + " "
                            + detail
                            + " has "
                            + value.length
                            + " bytes, more than "
                            + MAX_RECORD_BYTES);
        }
        // the same bytes twice (a short prefix common to every layout) would only inflate the count
        String identity =
                value == null ? "<tombstone>" : new String(value, StandardCharsets.ISO_8859_1);
        if (seen.add(identity)) {
            records.add(new MalformedRecord(kind, detail, value, expected));
        }
    }

    private static byte[] render(Obj record) {
        return utf8(Style.COMPACT.render(record));
    }

    /** The text between the quotes of a string field's valid value. */
    private static String stringContent(Located f) {
        String json = f.field().validJson();
        return json.substring(1, json.length() - 1);
    }

    private static Json withSpace(Json value) {
        return prefixed(" ", value);
    }

    private static Json prefixed(String prefix, Json value) {
        return new Raw(prefix + Style.COMPACT.render(value));
    }

    static List<Integer> characterBoundaries(byte[] utf8) {
        List<Integer> boundaries = new ArrayList<>();
        for (int i = 0; i <= utf8.length; i++) {
            if (i == utf8.length || !isContinuationByte(utf8[i])) {
                boundaries.add(i);
            }
        }
        return boundaries;
    }

    private static boolean isContinuationByte(byte b) {
        return (b & 0xC0) == 0x80;
    }

    static boolean isValidUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static byte[] insert(byte[] into, int at, byte[] what) {
        return concat(
                java.util.Arrays.copyOf(into, at),
                what,
                java.util.Arrays.copyOfRange(into, at, into.length));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static byte[] bytes(int[] values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    private static byte[] hexBytes(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    private static String hex(int[] values) {
        StringBuilder s = new StringBuilder();
        for (int v : values) {
            s.append(s.length() == 0 ? "" : " ").append(String.format("%02X", v));
        }
        return s.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String quoteAsJsonString(String json) {
        return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Details are for people reading a failure: control characters shown as escapes. */
    private static String escapeForDetail(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(
                    c < 0x20 || (c >= 0x2000 && c <= 0x3000)
                            ? String.format("\\u%04X", (int) c)
                            : String.valueOf(c));
        }
        return out.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 40) + "... (" + s.length() + " characters)";
    }
}
