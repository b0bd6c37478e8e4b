package dev.flinkpipelines.common.parse;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.deadletter.DeadLetter;
import dev.flinkpipelines.common.events.DrinkOrder;
import dev.flinkpipelines.common.events.InventoryEvent;
import dev.flinkpipelines.common.events.MenuUpdate;
import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.events.VideoView;
import dev.flinkpipelines.common.kafka.ParsingDeserializationSchema;
import dev.flinkpipelines.testkit.corpus.ContractSchemas;
import dev.flinkpipelines.testkit.corpus.MalformedCorpus;
import dev.flinkpipelines.testkit.corpus.MalformedKind;
import dev.flinkpipelines.testkit.corpus.MalformedRecord;
import dev.flinkpipelines.testkit.corpus.TopicSchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The malformed-input corpus of every topic through its parser, without Kafka or Flink (the job ITs
 * do it for real): the valid template is accepted, and every corpus record becomes a dead letter
 * with exactly its bytes, the code the corpus expects and a short reason. Fast, so a parser change
 * is checked against all of it in a second.
 */
class MalformedCorpusParsersTest {

    /** A reason is for a person: a number or a payload is abbreviated, never copied whole. */
    private static final int LONGEST_REASON = 1_000;

    static Stream<Arguments> topics() {
        return Stream.of(
                Arguments.of(
                        ContractSchemas.USER_EVENTS,
                        schema(new UserEventParser(), UserEvent.class)),
                Arguments.of(
                        ContractSchemas.ORDER_EVENTS,
                        schema(new OrderEventParser(), OrderEvent.class)),
                Arguments.of(
                        ContractSchemas.DRINK_ORDERS,
                        schema(new DrinkOrderParser(), DrinkOrder.class)),
                Arguments.of(
                        ContractSchemas.MENU_UPDATES,
                        schema(new MenuUpdateParser(), MenuUpdate.class)),
                Arguments.of(
                        ContractSchemas.INVENTORY_EVENTS,
                        schema(new InventoryEventParser(), InventoryEvent.class)),
                Arguments.of(
                        ContractSchemas.VIDEO_VIEWS,
                        schema(new VideoViewParser(), VideoView.class)));
    }

    private static <T> ParsingDeserializationSchema<T> schema(
            RecordParser<T> parser, Class<T> type) {
        return new ParsingDeserializationSchema<>(parser, TypeInformation.of(type));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topics")
    void everyCorpusRecordIsADeadLetterWithItsExactBytesAndExpectedCode(
            TopicSchema topic, ParsingDeserializationSchema<?> schema) {
        Either<DeadLetter, ?> template =
                schema.parse(new ConsumerRecord<>("t", 0, 0L, null, topic.templateRecord()));
        assertTrue(
                template.isRight(),
                () ->
                        topic.name()
                                + ": the template itself must be valid, got "
                                + template.left().reason());

        List<MalformedRecord> corpus = MalformedCorpus.generate(topic);
        Map<MalformedKind, List<String>> wrong = new TreeMap<>();
        for (int offset = 0; offset < corpus.size(); offset++) {
            MalformedRecord record = corpus.get(offset);
            String problem = problem(schema, record, offset);
            if (problem != null) {
                wrong.computeIfAbsent(record.kind(), k -> new ArrayList<>())
                        .add(record.detail() + ": " + problem);
            }
        }
        assertTrue(
                wrong.isEmpty(),
                () ->
                        topic.name()
                                + ": "
                                + wrong.values().stream().mapToInt(List::size).sum()
                                + " of "
                                + corpus.size()
                                + " records not as expected\n"
                                + summary(wrong));
    }

    /**
     * What is wrong with how {@code record} was handled, or null when it is exactly as expected.
     */
    private static String problem(
            ParsingDeserializationSchema<?> schema, MalformedRecord record, int offset) {
        Either<DeadLetter, ?> result;
        try {
            result = schema.parse(new ConsumerRecord<>("t", 1, offset, null, record.value()));
        } catch (Throwable t) {
            // an OutOfMemoryError here would stop a job: report it with the rest
            return "threw " + t;
        }
        if (result.isRight()) {
            return "ACCEPTED as " + abbreviate(String.valueOf(result.right()));
        }
        DeadLetter d = result.left();
        if (!d.errorCode().name().equals(record.expected().name())) {
            return "expected "
                    + record.expected()
                    + ", got "
                    + d.errorCode()
                    + " ("
                    + abbreviate(d.reason())
                    + ")";
        }
        if (!Arrays.equals(d.rawBytes(), record.expectedRawBytes())) {
            return "raw bytes differ";
        }
        if (d.reason() == null || d.reason().isBlank() || d.reason().length() > LONGEST_REASON) {
            return "reason of "
                    + (d.reason() == null
                            ? "null"
                            : d.reason().length() + " characters: " + abbreviate(d.reason()));
        }
        return null;
    }

    private static String summary(Map<MalformedKind, List<String>> wrong) {
        StringBuilder s = new StringBuilder();
        wrong.forEach(
                (kind, problems) -> {
                    s.append("  ").append(kind).append(": ").append(problems.size()).append('\n');
                    problems.stream()
                            .limit(4)
                            .forEach(p -> s.append("    ").append(abbreviate(p)).append('\n'));
                });
        return s.toString();
    }

    /**
     * Short, and with control characters and surrogates escaped: a lone surrogate cuts a test
     * report short.
     */
    private static String abbreviate(String s) {
        String shortened =
                s.length() <= 220 ? s : s.substring(0, 200) + "... (" + s.length() + " characters)";
        StringBuilder printable = new StringBuilder();
        for (char c : shortened.toCharArray()) {
            printable.append(
                    c < 0x20 || Character.isSurrogate(c)
                            ? String.format("\\u%04X", (int) c)
                            : String.valueOf(c));
        }
        return printable.toString();
    }
}
