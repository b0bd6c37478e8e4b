package dev.flinkpipelines.testkit.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The generator itself: size, coverage, determinism, the Kafka size limit, and the exact bytes of a
 * few records, so a change in how records are built shows here before it shows in a job test.
 * Whether the parsers agree with the expected codes is common's {@code MalformedCorpusParsersTest}.
 */
class MalformedCorpusTest {

    /** Each corpus once for the class: generating them all takes seconds. */
    private static final Map<TopicSchema, List<MalformedRecord>> CORPORA =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static List<MalformedRecord> corpus(TopicSchema schema) {
        return CORPORA.computeIfAbsent(schema, MalformedCorpus::generate);
    }

    @Test
    void everyTopicGetsAtLeast10000RecordsOfAtLeast30Kinds() {
        for (TopicSchema schema : ContractSchemas.all()) {
            List<MalformedRecord> corpus = corpus(schema);
            Map<MalformedKind, Integer> kinds = MalformedCorpus.countByKind(corpus);
            assertTrue(corpus.size() >= 10_000, schema.name() + ": " + corpus.size() + " records");
            assertTrue(
                    kinds.size() >= 30,
                    schema.name() + ": " + kinds.size() + " kinds " + kinds.keySet());
        }
    }

    @Test
    void kindsThatEverySchemaCanHaveAreAllThere() {
        for (TopicSchema schema : ContractSchemas.all()) {
            Map<MalformedKind, Integer> kinds = MalformedCorpus.countByKind(corpus(schema));
            for (MalformedKind kind : MalformedKind.values()) {
                // only the contract-specific kinds depend on what the schema declares
                if (!kind.isContractViolation() || kind == MalformedKind.BAD_TIMESTAMP) {
                    assertTrue(kinds.containsKey(kind), schema.name() + " has no " + kind);
                }
            }
        }
    }

    @Test
    void theSameSchemaAlwaysGivesTheSameCorpus() {
        List<MalformedRecord> first = corpus(ContractSchemas.DRINK_ORDERS);
        List<MalformedRecord> second = MalformedCorpus.generate(ContractSchemas.DRINK_ORDERS);
        assertEquals(first.size(), second.size());
        for (int i = 0; i < first.size(); i++) {
            assertEquals(first.get(i).toString(), second.get(i).toString());
            assertArrayEquals(first.get(i).value(), second.get(i).value(), first.get(i).toString());
        }
    }

    @Test
    void hugeRecordsAreHundredsOfKilobytesAndFitKafkasDefaultLimit() {
        for (TopicSchema schema : ContractSchemas.all()) {
            List<MalformedRecord> corpus = corpus(schema);
            int largest =
                    corpus.stream().mapToInt(r -> r.expectedRawBytes().length).max().orElseThrow();
            assertTrue(
                    largest <= MalformedCorpus.MAX_RECORD_BYTES && largest > 800_000,
                    schema.name() + ": largest " + largest);
            assertTrue(
                    corpus.stream()
                            .filter(r -> r.kind() == MalformedKind.HUGE_PAYLOAD)
                            .allMatch(r -> r.value().length >= 200_000),
                    schema.name() + ": every huge record is at least 200 KB");
        }
    }

    @Test
    void noRecordIsTheValidTemplateAndNoTwoAreTheSame() {
        for (TopicSchema schema : ContractSchemas.all()) {
            List<MalformedRecord> corpus = corpus(schema);
            String template = new String(schema.templateRecord(), StandardCharsets.ISO_8859_1);
            assertEquals(
                    corpus.size(),
                    corpus.stream()
                            .map(
                                    r ->
                                            r.value() == null
                                                    ? "<null>"
                                                    : new String(
                                                            r.value(), StandardCharsets.ISO_8859_1))
                            .distinct()
                            .count(),
                    schema.name());
            assertFalse(
                    corpus.stream()
                            .anyMatch(
                                    r ->
                                            r.value() != null
                                                    && new String(
                                                                    r.value(),
                                                                    StandardCharsets.ISO_8859_1)
                                                            .equals(template)));
        }
    }

    @Test
    void fieldLevelRecordsBreakTheTemplateInExactlyOnePlace() {
        assertEquals(
                "{\"user_id\":123,\"movie_id\":456,\"event_type\":\"click\",\"timestamp\":1701234567890}",
                new String(ContractSchemas.USER_EVENTS.templateRecord(), StandardCharsets.UTF_8));
        List<MalformedRecord> corpus = corpus(ContractSchemas.USER_EVENTS);
        assertRecord(
                corpus,
                "user_id: colon, no value",
                "{\"user_id\":,\"movie_id\":456,\"event_type\":\"click\",\"timestamp\":1701234567890}",
                ExpectedCode.NOT_JSON);
        assertRecord(
                corpus,
                "timestamp: no colon, no value",
                "{\"user_id\":123,\"movie_id\":456,\"event_type\":\"click\",\"timestamp\"}",
                ExpectedCode.NOT_JSON);
        assertRecord(
                corpus,
                "movie_id twice, then null",
                "{\"user_id\":123,\"movie_id\":456,\"movie_id\":null,\"event_type\":\"click\",\"timestamp\":1701234567890}",
                ExpectedCode.NOT_JSON);
        assertRecord(
                corpus,
                "event_type = \"\\uD800\"",
                "{\"user_id\":123,\"movie_id\":456,\"event_type\":\"\\uD800\",\"timestamp\":1701234567890}",
                ExpectedCode.INVALID_VALUE);
        assertRecord(
                corpus,
                "movie_id = 1e400",
                "{\"user_id\":123,\"movie_id\":1e400,\"event_type\":\"click\",\"timestamp\":1701234567890}",
                ExpectedCode.WRONG_TYPE);

        List<MalformedRecord> orders = corpus(ContractSchemas.DRINK_ORDERS);
        assertRecord(
                orders,
                "items[0].qty unquoted",
                "{\"order_id\":\"o-1001\",\"user_id\":\"u-42\",\"items\":[{\"menu_id\":\"m-1\",qty:2,\"price\":40000.5}],\"total\":80001,"
                        + "\"created_at\":\"2025-11-30T15:30:00Z\"}",
                ExpectedCode.NOT_JSON);
        assertRecord(
                orders,
                "items[0].price = 1e400",
                "{\"order_id\":\"o-1001\",\"user_id\":\"u-42\",\"items\":[{\"menu_id\":\"m-1\",\"qty\":2,\"price\":1e400}],\"total\":80001,"
                        + "\"created_at\":\"2025-11-30T15:30:00Z\"}",
                ExpectedCode.OUT_OF_RANGE);
    }

    @Test
    void aCutThroughAMultiByteCharacterIsInvalidUtf8NotBadJson() {
        // "Trà sữa": à is 2 bytes, ữ is 3
        List<MalformedRecord> corpus = corpus(ContractSchemas.MENU_UPDATES);
        String compact =
                new String(ContractSchemas.MENU_UPDATES.templateRecord(), StandardCharsets.UTF_8);
        int inA =
                compact.substring(0, compact.indexOf('\u00e0'))
                                .getBytes(StandardCharsets.UTF_8)
                                .length
                        + 1;
        assertRecord(
                corpus,
                "first "
                        + inA
                        + " of "
                        + ContractSchemas.MENU_UPDATES.templateRecord().length
                        + " bytes of COMPACT",
                Arrays.copyOf(ContractSchemas.MENU_UPDATES.templateRecord(), inA),
                ExpectedCode.INVALID_UTF8);
        assertRecord(
                corpus,
                "first "
                        + (inA + 1)
                        + " of "
                        + ContractSchemas.MENU_UPDATES.templateRecord().length
                        + " bytes of COMPACT",
                Arrays.copyOf(ContractSchemas.MENU_UPDATES.templateRecord(), inA + 1),
                ExpectedCode.NOT_JSON);
    }

    @Test
    void byteSequencesGoOnlyBetweenCharacters() {
        byte[] menu = ContractSchemas.MENU_UPDATES.templateRecord();
        List<Integer> boundaries = MalformedCorpus.characterBoundaries(menu);
        // every byte but the continuation bytes of à (1) and ữ (2), plus the end
        assertEquals(menu.length + 1 - 3, boundaries.size());
        assertTrue(
                corpus(ContractSchemas.MENU_UPDATES).stream()
                                .filter(
                                        r ->
                                                r.kind() == MalformedKind.NUL_BYTES
                                                        && r.detail().endsWith("of COMPACT"))
                                .count()
                        == boundaries.size());
    }

    private static void assertRecord(
            List<MalformedRecord> corpus, String detail, String json, ExpectedCode expected) {
        assertRecord(corpus, detail, json.getBytes(StandardCharsets.UTF_8), expected);
    }

    private static void assertRecord(
            List<MalformedRecord> corpus, String detail, byte[] value, ExpectedCode expected) {
        MalformedRecord record =
                corpus.stream()
                        .filter(r -> r.detail().equals(detail))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no record '" + detail + "'"));
        assertEquals(
                new String(value, StandardCharsets.UTF_8),
                new String(record.value(), StandardCharsets.UTF_8),
                detail);
        assertArrayEquals(value, record.value(), detail);
        assertEquals(expected, record.expected(), detail);
    }
}
