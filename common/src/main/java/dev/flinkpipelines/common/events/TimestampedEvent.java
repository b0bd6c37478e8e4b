package dev.flinkpipelines.common.events;

/** An event that knows its event time; watermarks and windows use it. */
public interface TimestampedEvent {
    long eventTimeMillis();
}
