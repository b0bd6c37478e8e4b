package dev.flinkpipelines.common.events;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flinkpipelines.common.deadletter.DeadLetter;
import dev.flinkpipelines.common.kafka.SourceCoordinates;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every record type the jobs pass between operators or keep in state is serialized by Flink's POJO
 * serializer, without Kryo anywhere inside it: fast, and its state readable after a class change
 * (the jobs also run with generic types disabled, which fails a job at submission otherwise).
 */
class EventTypesSerializerTest {

    @ParameterizedTest
    @ValueSource(
            classes = {
                UserEvent.class,
                OrderEvent.class,
                DrinkOrder.class,
                DrinkOrder.Item.class,
                MenuUpdate.class,
                InventoryEvent.class,
                VideoView.class,
                DeadLetter.class,
                SourceCoordinates.class
            })
    void isAPojoWithoutKryo(Class<?> type) {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(type);
    }

    /** A field Flink can only hand to Kryo. */
    public static final class HoldsAnObject {
        public Object anything;
    }

    @Test
    void aTypeWithKryoInsideFailsTheCheck() {
        assertThrows(
                AssertionError.class,
                () -> PojoTestUtils.assertSerializedAsPojoWithoutKryo(HoldsAnObject.class));
    }
}
