package dev.flinkpipelines.testkit.corpus;

import dev.flinkpipelines.testkit.PostgresExtension;
import dev.flinkpipelines.testkit.corpus.ProducedCorpus.Landed;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks {@code dead_letters} against produced corpora: every corpus record is there exactly once,
 * under its exact topic, partition and offset, with its exact bytes, its text, its Kafka timestamp
 * and the expected error code; and nothing else of the job is there (a valid record dead-lettered
 * would be a row the corpus does not know).
 */
public final class DeadLetterAssertions {

    /** Reasons are for people: short, whatever the record held. */
    private static final int LONGEST_REASON = 1_000;

    private DeadLetterAssertions() {}

    /**
     * The dead letters of {@code jobName} are exactly the corpus records of {@code corpora};
     * returns how many.
     */
    public static int assertExactlyTheCorpus(
            PostgresExtension pg, String jobName, ProducedCorpus... corpora) throws SQLException {
        Map<String, Landed<MalformedRecord>> expected = new HashMap<>();
        for (ProducedCorpus corpus : corpora) {
            for (Landed<MalformedRecord> landed : corpus.malformed()) {
                expected.put(landed.coordinates(), landed);
            }
        }
        Map<String, List<String>> problems = new TreeMap<>();
        Map<String, Integer> seen = new HashMap<>();
        try (Connection c = pg.connection();
                PreparedStatement s =
                        c.prepareStatement(
                                "SELECT kafka_topic, kafka_partition, kafka_offset, raw_bytes, raw_text,"
                                        + " error_code, reason, kafka_timestamp FROM dead_letters WHERE job_name = ?")) {
            s.setString(1, jobName);
            s.setFetchSize(500);
            // rows of hundreds of KB: stream them instead of holding the whole result twice
            c.setAutoCommit(false);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String coordinates = rs.getString(1) + "/" + rs.getInt(2) + "@" + rs.getLong(3);
                    seen.merge(coordinates, 1, Integer::sum);
                    Landed<MalformedRecord> landed = expected.get(coordinates);
                    if (landed == null) {
                        problems.computeIfAbsent("not a corpus record", k -> new ArrayList<>())
                                .add(
                                        coordinates
                                                + " "
                                                + rs.getString(6)
                                                + ": "
                                                + abbreviate(rs.getString(5)));
                        continue;
                    }
                    String problem =
                            problem(
                                    landed,
                                    rs.getBytes(4),
                                    rs.getString(5),
                                    rs.getString(6),
                                    rs.getString(7),
                                    rs.getObject(8, OffsetDateTime.class));
                    if (problem != null) {
                        problems.computeIfAbsent(
                                        landed.record().kind().toString(), k -> new ArrayList<>())
                                .add(coordinates + " " + landed.record().detail() + ": " + problem);
                    }
                }
            }
            c.commit();
        }
        expected.forEach(
                (coordinates, landed) -> {
                    int times = seen.getOrDefault(coordinates, 0);
                    if (times != 1) {
                        problems.computeIfAbsent(
                                        landed.record().kind().toString(), k -> new ArrayList<>())
                                .add(
                                        coordinates
                                                + " "
                                                + landed.record().detail()
                                                + ": in dead_letters "
                                                + times
                                                + " times");
                    }
                });
        if (!problems.isEmpty()) {
            StringBuilder report =
                    new StringBuilder(
                            jobName
                                    + ": "
                                    + problems.values().stream().mapToInt(List::size).sum()
                                    + " problems with "
                                    + expected.size()
                                    + " corpus records in dead_letters\n");
            problems.forEach(
                    (kind, list) -> {
                        report.append("  ")
                                .append(kind)
                                .append(": ")
                                .append(list.size())
                                .append('\n');
                        list.stream()
                                .limit(5)
                                .forEach(p -> report.append("    ").append(p).append('\n'));
                    });
            throw new AssertionError(report.toString());
        }
        return expected.size();
    }

    private static String problem(
            Landed<MalformedRecord> landed,
            byte[] rawBytes,
            String rawText,
            String code,
            String reason,
            OffsetDateTime kafkaTimestamp) {
        MalformedRecord record = landed.record();
        if (!record.expected().name().equals(code)) {
            return "error code "
                    + code
                    + ", expected "
                    + record.expected()
                    + " ("
                    + abbreviate(reason)
                    + ")";
        }
        if (!Arrays.equals(record.expectedRawBytes(), rawBytes)) {
            return "raw_bytes differ ("
                    + (rawBytes == null ? "null" : rawBytes.length + " bytes")
                    + ")";
        }
        if (!readableText(record.expectedRawBytes()).equals(rawText)) {
            return "raw_text differs: " + abbreviate(rawText);
        }
        if (kafkaTimestamp == null
                || kafkaTimestamp.toInstant().toEpochMilli() != landed.timestamp()) {
            return "kafka_timestamp " + kafkaTimestamp + ", produced with " + landed.timestamp();
        }
        if (reason == null || reason.isBlank() || reason.length() > LONGEST_REASON) {
            return "reason of " + (reason == null ? "null" : reason.length() + " characters");
        }
        return null;
    }

    /**
     * raw_text as the README promises it: the bytes as UTF-8, each invalid sequence shown as
     * U+FFFD, NUL (which PostgreSQL text cannot hold) as U+2400.
     */
    static String readableText(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString()
                    .replace('\0', '\u2400');
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("cannot happen with REPLACE", e);
        }
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        String shortened =
                s.length() <= 120 ? s : s.substring(0, 100) + "... (" + s.length() + " characters)";
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
