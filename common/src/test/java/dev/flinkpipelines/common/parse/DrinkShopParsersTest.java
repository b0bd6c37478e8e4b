package dev.flinkpipelines.common.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.deadletter.DeadLetter;
import dev.flinkpipelines.common.deadletter.ErrorCode;
import dev.flinkpipelines.common.events.DrinkOrder;
import dev.flinkpipelines.common.events.InventoryEvent;
import dev.flinkpipelines.common.events.MenuUpdate;
import dev.flinkpipelines.common.kafka.ParsingDeserializationSchema;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The drink shop's three validators over valid input and a table of bad inputs. */
class DrinkShopParsersTest {

    private static <T> Either<DeadLetter, T> parse(
            RecordParser<T> parser, Class<T> type, String json) {
        return new ParsingDeserializationSchema<>(parser, TypeInformation.of(type))
                .parse(
                        new ConsumerRecord<>(
                                "t", 0, 0L, null, json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void validRecordsKeepUtf8AndExactMoney() {
        MenuUpdate m =
                parse(
                                new MenuUpdateParser(),
                                MenuUpdate.class,
                                "{\"menu_id\":\"m-1\",\"action\":\"create\",\"name\":\"Trà sữa\",\"category\":\"milk tea\",\"price\":50000,\"timestamp\":\"2025-01-01T10:00:00Z\"}")
                        .right();
        assertEquals("Trà sữa", m.name());
        assertEquals(new BigDecimal("50000.00"), m.price());
        MenuUpdate delete =
                parse(
                                new MenuUpdateParser(),
                                MenuUpdate.class,
                                "{\"menu_id\":\"m-1\",\"action\":\"delete\",\"timestamp\":\"2025-01-01T10:00:00Z\"}")
                        .right();
        assertEquals(MenuUpdate.Action.DELETE, delete.action());
        DrinkOrder o =
                parse(
                                new DrinkOrderParser(),
                                DrinkOrder.class,
                                "{\"order_id\":\"o\",\"user_id\":\"u\",\"items\":[{\"menu_id\":\"m-1\",\"qty\":2,\"price\":40000.5}],\"total\":80001,\"created_at\":\"2025-01-01T10:00:00Z\"}")
                        .right();
        assertEquals(new DrinkOrder.Item("m-1", 2, new BigDecimal("40000.50")), o.items().get(0));
        InventoryEvent i =
                parse(
                                new InventoryEventParser(),
                                InventoryEvent.class,
                                "{\"menu_id\":\"m-1\",\"delta\":-2,\"reason\":\"sale\",\"timestamp\":\"2025-01-01T10:00:00Z\"}")
                        .right();
        assertEquals(-2, i.delta());
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "menu|{\"menu_id\":\"m-1\",\"action\":\"rename\",\"timestamp\":\"2025-01-01T10:00:00Z\"}|INVALID_VALUE",
                "menu|{\"menu_id\":\"m-1\",\"action\":\"create\",\"timestamp\":\"2025-01-01T10:00:00Z\"}|MISSING_FIELD",
                "menu|{\"menu_id\":\"m-1\",\"action\":\"update\",\"name\":\"x\",\"category\":\"y\",\"price\":-1,\"timestamp\":\"2025-01-01T10:00:00Z\"}|OUT_OF_RANGE",
                "menu|{\"menu_id\":\"m-1\",\"action\":\"update\",\"name\":\"x\",\"category\":\"y\",\"price\":1.005,\"timestamp\":\"2025-01-01T10:00:00Z\"}|INVALID_VALUE",
                "order|{\"order_id\":\"o\",\"user_id\":\"u\",\"items\":[],\"total\":0,\"created_at\":\"2025-01-01T10:00:00Z\"}|OUT_OF_RANGE",
                "order|{\"order_id\":\"o\",\"user_id\":\"u\",\"items\":{},\"total\":0,\"created_at\":\"2025-01-01T10:00:00Z\"}|WRONG_TYPE",
                "order|{\"order_id\":\"o\",\"user_id\":\"u\",\"items\":[{\"menu_id\":\"m-1\",\"qty\":0,\"price\":1}],\"total\":0,\"created_at\":\"2025-01-01T10:00:00Z\"}|OUT_OF_RANGE",
                "order|{\"order_id\":\"o\",\"user_id\":\"u\",\"items\":[{\"menu_id\":\"m-1\",\"qty\":1}],\"total\":1,\"created_at\":\"2025-01-01T10:00:00Z\"}|MISSING_FIELD",
                "order|{\"order_id\":\"o\",\"user_id\":\"u\",\"items\":[7],\"total\":1,\"created_at\":\"2025-01-01T10:00:00Z\"}|WRONG_TYPE",
                "order|{\"order_id\":\"o\",\"user_id\":\"u\",\"items\":[{\"menu_id\":\"m-1\",\"qty\":1,\"price\":1}],\"total\":1}|MISSING_FIELD",
                "inventory|{\"menu_id\":\"m-1\",\"delta\":1.5,\"reason\":\"restock\",\"timestamp\":\"2025-01-01T10:00:00Z\"}|WRONG_TYPE",
                "inventory|{\"menu_id\":\"m-1\",\"delta\":1,\"reason\":\"theft\",\"timestamp\":\"2025-01-01T10:00:00Z\"}|INVALID_VALUE"
            })
    void badRecordIsADeadLetter(String topic, String json, ErrorCode expected) {
        Either<DeadLetter, ?> result =
                topic.equals("menu")
                        ? parse(new MenuUpdateParser(), MenuUpdate.class, json)
                        : topic.equals("order")
                                ? parse(new DrinkOrderParser(), DrinkOrder.class, json)
                                : parse(new InventoryEventParser(), InventoryEvent.class, json);
        assertTrue(result.isLeft(), () -> json + " should be invalid");
        assertEquals(expected, result.left().errorCode(), result.left().reason());
    }
}
