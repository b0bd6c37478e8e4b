package dev.flinkpipelines.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.events.DrinkOrder;
import dev.flinkpipelines.common.events.InventoryEvent;
import dev.flinkpipelines.common.events.MenuUpdate;
import dev.flinkpipelines.common.kafka.ParsingDeserializationSchema;
import dev.flinkpipelines.common.parse.DrinkOrderParser;
import dev.flinkpipelines.common.parse.InventoryEventParser;
import dev.flinkpipelines.common.parse.MenuUpdateParser;
import dev.flinkpipelines.common.parse.RecordParser;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DrinkShopRecordsTest {

    private static <T> boolean parses(
            RecordParser<T> parser, Class<T> type, TrafficSource.Generated g) {
        return new ParsingDeserializationSchema<>(parser, TypeInformation.of(type))
                .parse(new ConsumerRecord<>("t", 0, 0L, g.key(), g.value()))
                .isRight();
    }

    @Test
    void theMenuComesFirstAndEveryNonInvalidRecordParses() {
        List<TrafficSource> shop =
                new DrinkShopRecords(11, new TrafficSource.Fractions(0.05, 0, 0.05, 0.05))
                        .sources();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            TrafficSource.Generated created = shop.get(1).next(1_764_000_000_000L);
            assertTrue(parses(new MenuUpdateParser(), MenuUpdate.class, created));
            names.add(
                    new String(created.value(), java.nio.charset.StandardCharsets.UTF_8)
                            .replaceAll(".*\"name\":\"([^\"]+)\".*", "$1"));
        }
        assertTrue(
                names.contains("Trà sữa trân châu") && names.contains("Cà phê sữa đá"),
                names.toString());
        int orders = 0;
        for (int i = 0; i < 5_000; i++) {
            TrafficSource.Generated order = shop.get(0).next(1_764_000_000_000L);
            assertEquals(
                    order.kind() != TrafficSource.Kind.INVALID,
                    parses(new DrinkOrderParser(), DrinkOrder.class, order));
            orders++;
            for (int topic = 1; topic < 3; topic++) {
                TrafficSource.Generated g = shop.get(topic).next(1_764_000_000_000L);
                if (g != null) {
                    boolean ok =
                            topic == 1
                                    ? parses(new MenuUpdateParser(), MenuUpdate.class, g)
                                    : parses(new InventoryEventParser(), InventoryEvent.class, g);
                    assertEquals(g.kind() != TrafficSource.Kind.INVALID, ok, new String(g.value()));
                }
            }
        }
        assertEquals(5_000, orders);
    }
}
