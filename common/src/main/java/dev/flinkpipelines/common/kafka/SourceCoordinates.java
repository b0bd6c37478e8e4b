package dev.flinkpipelines.common.kafka;

/** Where a record came from: every row derived from it carries these, for traceability. */
public record SourceCoordinates(String topic, int partition, long offset) {
    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset;
    }
}
