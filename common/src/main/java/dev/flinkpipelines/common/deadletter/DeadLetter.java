package dev.flinkpipelines.common.deadletter;

import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.time.Instant;

/**
 * A record a job could not accept, with everything needed to find, understand and replay it.
 *
 * @param rawBytes the exact value bytes (never re-encoded); empty for an empty record
 * @param kafkaTimestamp the Kafka record timestamp, or null when the record had none
 */
public record DeadLetter(
        SourceCoordinates source,
        byte[] rawBytes,
        ErrorCode errorCode,
        String reason,
        Instant kafkaTimestamp,
        Instant seenAt) {}
