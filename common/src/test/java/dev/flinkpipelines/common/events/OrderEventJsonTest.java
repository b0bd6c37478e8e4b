package dev.flinkpipelines.common.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkpipelines.common.kafka.SourceCoordinates;
import dev.flinkpipelines.common.parse.JsonRecord;
import dev.flinkpipelines.common.parse.OrderEventParser;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What the orders job publishes to events_clean: the contract's payload, byte for byte, and read
 * back as the same event.
 */
class OrderEventJsonTest {

    private static final SourceCoordinates SOURCE = new SourceCoordinates("events_raw", 1, 7);

    @Test
    void writesTheContractPayloadExactly() {
        OrderEvent e =
                new OrderEvent(
                        "123e4567-e89b-12d3-a456-426614174000",
                        Instant.parse("2025-11-30T15:30:00Z"),
                        OrderEvent.Type.PAYMENT_SUCCESS,
                        "ORD-1",
                        "USR_1",
                        new BigDecimal("1234567.80"),
                        OrderEvent.Currency.VND,
                        OrderEvent.Status.SUCCESS,
                        SOURCE);
        assertEquals(
                "{\"id\":\"123e4567-e89b-12d3-a456-426614174000\",\"eventTime\":\"2025-11-30T15:30:00Z\","
                        + "\"eventType\":\"payment_success\",\"orderId\":\"ORD-1\",\"userId\":\"USR_1\",\"amount\":1234567.80,"
                        + "\"currency\":\"VND\",\"status\":\"success\"}",
                new String(OrderEventJson.toJson(e), StandardCharsets.UTF_8));
    }

    @Test
    void readsBackAsTheSameEvent() throws Exception {
        for (String amount : new String[] {"0.00", "0.10", "9999999999999.99", "1000.00"}) {
            OrderEvent e =
                    new OrderEvent(
                            "123e4567-e89b-12d3-a456-426614174000",
                            Instant.parse("2025-11-30T15:30:00.123Z"),
                            OrderEvent.Type.ORDER_CREATED,
                            "ORD-1",
                            "USR_1",
                            new BigDecimal(amount),
                            OrderEvent.Currency.USD,
                            OrderEvent.Status.PENDING,
                            SOURCE);
            assertEquals(
                    e,
                    new OrderEventParser()
                            .parse(JsonRecord.parse(OrderEventJson.toJson(e)), SOURCE),
                    amount);
        }
    }
}
