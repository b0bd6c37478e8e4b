package dev.flinkpipelines.common.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The id checks, written as loops, accept exactly what the contract's patterns accept. */
class OrderEventParserTest {

    private static final Pattern UUID =
            Pattern.compile(
                    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern REFERENCE = Pattern.compile("[A-Za-z0-9_-]{1,50}");
    private static final String ALPHABET = "0123456789abcdefABCDEFgGzZ-_ .é\u0660\uFF10\n";

    @Test
    void loopsAgreeWithThePatterns() {
        for (String s :
                List.of(
                        "",
                        "123e4567-e89b-12d3-a456-426614174000",
                        "123E4567-E89B-12D3-A456-426614174000",
                        "123e4567e89b12d3a456426614174000",
                        "123e4567-e89b-12d3-a456-42661417400",
                        "123e4567-e89b-12d3-a456-4266141740000",
                        "ORD123456",
                        "USR_1-2",
                        "x".repeat(50),
                        "x".repeat(51),
                        "a b",
                        "\u0660")) {
            assertEquals(UUID.matcher(s).matches(), OrderEventParser.isUuid(s), s);
            assertEquals(REFERENCE.matcher(s).matches(), OrderEventParser.isReference(s), s);
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 500_000; i++) {
            StringBuilder s = new StringBuilder();
            if (i % 2 == 0) {
                // near a UUID: its shape with one character maybe replaced
                s.append("123e4567-e89b-12d3-a456-426614174000");
                s.setCharAt(random.nextInt(36), ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            } else {
                int n = random.nextInt(53);
                for (int j = 0; j < n; j++) {
                    s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                }
            }
            String text = s.toString();
            assertEquals(UUID.matcher(text).matches(), OrderEventParser.isUuid(text), text);
            assertEquals(
                    REFERENCE.matcher(text).matches(), OrderEventParser.isReference(text), text);
        }
    }
}
