package dev.flinkpipelines.jobs.userevents;

import dev.flinkpipelines.generator.UserEventRecords;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The user-events records the tests write. */
final class UserEventFixtures {

    private UserEventFixtures() {}

    /**
     * A click, play, … by {@code user} on {@code movie} at {@code time} (HH:mm:ss) of 2025-01-01.
     */
    static String event(int user, int movie, String type, String time) {
        return UserEventRecords.userEventJson(
                user, movie, type, Instant.parse("2025-01-01T" + time + "Z").toEpochMilli());
    }

    /** The records as a topic holds them; {@code null} stands for bytes that are not UTF-8. */
    static List<byte[]> bytes(String... records) {
        List<byte[]> values = new ArrayList<>();
        for (String r : records) {
            values.add(
                    r == null
                            ? new byte[] {(byte) 0xC3, (byte) 0x28}
                            : r.getBytes(StandardCharsets.UTF_8));
        }
        return values;
    }
}
