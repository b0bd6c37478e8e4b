package dev.flinkpipelines.jobs.userevents;

import dev.flinkpipelines.generator.UserEventRecords;
import java.time.Instant;

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
}
