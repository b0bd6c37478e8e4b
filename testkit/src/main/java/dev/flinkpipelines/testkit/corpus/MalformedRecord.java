package dev.flinkpipelines.testkit.corpus;

/**
 * One corpus record: its kind, what exactly is wrong with it, its value bytes ({@code null} for a
 * tombstone) and the error code its dead letter must carry.
 */
public record MalformedRecord(
        MalformedKind kind, String detail, byte[] value, ExpectedCode expected) {

    /** What {@code dead_letters.raw_bytes} must hold: the value, or nothing for a tombstone. */
    public byte[] expectedRawBytes() {
        return value == null ? new byte[0] : value;
    }

    @Override
    public String toString() {
        return kind
                + " ("
                + detail
                + ", "
                + (value == null ? "null" : value.length + " bytes")
                + ") -> "
                + expected;
    }
}
