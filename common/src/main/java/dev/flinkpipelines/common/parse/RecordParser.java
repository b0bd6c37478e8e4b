package dev.flinkpipelines.common.parse;

import dev.flinkpipelines.common.kafka.SourceCoordinates;
import java.io.Serializable;

/** Turns one JSON object into a typed, validated event, or says precisely why not. */
@FunctionalInterface
public interface RecordParser<T> extends Serializable {
    T parse(JsonRecord json, SourceCoordinates source) throws InvalidRecordException;
}
