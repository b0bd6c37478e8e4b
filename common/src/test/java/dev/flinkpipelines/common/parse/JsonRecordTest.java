package dev.flinkpipelines.common.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.flinkpipelines.testkit.corpus.ContractSchemas;
import dev.flinkpipelines.testkit.corpus.MalformedCorpus;
import dev.flinkpipelines.testkit.corpus.MalformedRecord;
import dev.flinkpipelines.testkit.corpus.TopicSchema;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link JsonRecord} reads the token stream instead of building Jackson's tree; it must decide
 * exactly as the tree did. Differential: every record of every topic's malformed corpus, plus
 * hand-picked numbers and shapes, through both readings — the same fields (node for node), or the
 * same dead-letter code and reason.
 */
class JsonRecordTest {

    /** The reading JsonRecord replaced: decode, build the whole tree, then look at it. */
    private static final ObjectMapper TREE =
            JsonMapper.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
                    .build();

    static Stream<TopicSchema> topics() {
        return Stream.of(
                ContractSchemas.USER_EVENTS,
                ContractSchemas.ORDER_EVENTS,
                ContractSchemas.DRINK_ORDERS,
                ContractSchemas.MENU_UPDATES,
                ContractSchemas.INVENTORY_EVENTS,
                ContractSchemas.VIDEO_VIEWS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topics")
    void readsEveryCorpusRecordAsTheTreeDid(TopicSchema topic) {
        List<byte[]> records = new ArrayList<>();
        records.add(topic.templateRecord());
        MalformedCorpus.generate(topic).stream().map(MalformedRecord::value).forEach(records::add);
        int accepted = 0;
        for (byte[] record : records) {
            String expected = viaTree(record);
            assertEquals(
                    expected,
                    viaTokens(record),
                    () -> "record " + abbreviate(new String(record, StandardCharsets.UTF_8)));
            accepted += expected.startsWith("fields ") ? 1 : 0;
        }
        assertTrue(
                accepted > 1,
                "the corpus holds objects whose fields are then checked: " + accepted);
    }

    @Test
    void numbersAndShapesAsTheTreeReadThem() {
        for (String json :
                List.of(
                        "{\"a\":1.10}",
                        "{\"a\":1000.00}",
                        "{\"a\":1e3}",
                        "{\"a\":-0.0}",
                        "{\"a\":0.000}",
                        "{\"a\":12345678901234567890123}",
                        "{\"a\":-5}",
                        "{\"a\":1.5e-400}",
                        "{\"a\":true,\"b\":false,\"c\":null}",
                        "{\"a\":{\"b\":[1,2.50,{\"c\":\"d\"}]}}",
                        "{\"a\":[]}",
                        "{}",
                        " { \"a\" : \"x\\ty\\u00e9\" } ",
                        "{\"a\":1} {}",
                        "{\"a\":1} x",
                        "{\"a\":1}]",
                        "{\"a\":1,\"a\":2}",
                        "{\"a\":{\"b\":1,\"b\":2}}",
                        "[1]",
                        "\"s\"",
                        "12",
                        "null",
                        "[1",
                        "{\"a\":1",
                        "{\"a\":01}",
                        "{\"a\":NaN}",
                        "{\"a\":1e2147483648}",
                        "\uFEFF{\"a\":1}",
                        "{\"a\":\"\\uD800\"}")) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            assertEquals(viaTree(bytes), viaTokens(bytes), json);
        }
    }

    private static String viaTokens(byte[] record) {
        try {
            return "fields "
                    + new LinkedHashMap<>(
                            new java.util.TreeMap<>(JsonRecord.parse(record).fields()));
        } catch (InvalidRecordException e) {
            return e.code() + " " + e.getMessage();
        }
    }

    private static String viaTree(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return "EMPTY_RECORD record has no value";
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
            return "INVALID_UTF8 value is not valid UTF-8";
        }
        if (text.isBlank()) {
            return "EMPTY_RECORD record value is blank";
        }
        JsonNode node;
        try {
            node = TREE.readTree(text);
        } catch (JsonProcessingException e) {
            return "NOT_JSON not valid JSON: " + e.getOriginalMessage();
        } catch (NumberFormatException e) {
            String m = e.getMessage();
            return "OUT_OF_RANGE a number is beyond what can be read: "
                    + (m.length() <= 40 ? m : m.substring(0, 37) + "...");
        }
        if (node == null || !node.isObject()) {
            return "NOT_AN_OBJECT expected a JSON object, got "
                    + (node == null
                            ? "nothing"
                            : node.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        Map<String, JsonNode> fields = new java.util.TreeMap<>();
        node.properties().forEach(e -> fields.put(e.getKey(), e.getValue()));
        return "fields " + new LinkedHashMap<>(fields);
    }

    @Test
    void nodeTypesMatchToo() throws Exception {
        // Map.toString compares text; the accessors also depend on node classes
        Map<String, JsonNode> tokens =
                JsonRecord.parse(
                                "{\"i\":5,\"d\":1.50,\"s\":\"x\",\"o\":{}}"
                                        .getBytes(StandardCharsets.UTF_8))
                        .fields();
        JsonNode tree = TREE.readTree("{\"i\":5,\"d\":1.50,\"s\":\"x\",\"o\":{}}");
        for (String f : List.of("i", "d", "s", "o")) {
            assertEquals(tree.get(f), tokens.get(f), f);
            assertEquals(tree.get(f).getClass(), tokens.get(f).getClass(), f);
        }
        assertEquals(new BigDecimal("1.5"), tokens.get("d").decimalValue().stripTrailingZeros());
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
