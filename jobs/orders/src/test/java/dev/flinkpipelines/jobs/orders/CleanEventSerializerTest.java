package dev.flinkpipelines.jobs.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.events.OrderEvent;
import dev.flinkpipelines.common.kafka.ParsingDeserializationSchema;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import dev.flinkpipelines.common.parse.OrderEventParser;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** What the orders job publishes, the kpi job must read back to the same event, amount included. */
class CleanEventSerializerTest {

    @Test
    void publishedEventParsesBackExactly() {
        OrderEvent event =
                new OrderEvent(
                        "0b6f3c2e-8a4d-4f1e-9c3b-2d5e7f9a1b3c",
                        Instant.parse("2025-11-30T15:30:00.123Z"),
                        OrderEvent.Type.PAYMENT_SUCCESS,
                        "ORD-9",
                        "USR_1",
                        new BigDecimal("9999999999999.99"),
                        OrderEvent.Currency.USD,
                        OrderEvent.Status.SUCCESS,
                        new SourceCoordinates("events_raw", 0, 1));
        ProducerRecord<byte[], byte[]> record =
                new CleanEventSerializer("events_clean").serialize(event, null, null);
        assertEquals("events_clean", record.topic());
        assertEquals("ORD-9", new String(record.key(), StandardCharsets.UTF_8));
        assertEquals(event.eventTimeMillis(), record.timestamp());

        OrderEvent back =
                new ParsingDeserializationSchema<>(
                                new OrderEventParser(), TypeInformation.of(OrderEvent.class))
                        .parse(
                                new ConsumerRecord<>(
                                        "events_clean", 2, 5L, record.key(), record.value()))
                        .right();
        assertEquals(
                new OrderEvent(
                        event.id(),
                        event.eventTime(),
                        event.eventType(),
                        event.orderId(),
                        event.userId(),
                        event.amount(),
                        event.currency(),
                        event.status(),
                        new SourceCoordinates("events_clean", 2, 5)),
                back);
    }
}
