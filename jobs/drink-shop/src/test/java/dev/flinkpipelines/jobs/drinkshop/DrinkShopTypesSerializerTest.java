package dev.flinkpipelines.jobs.drinkshop;

import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The drink-shop job's own stream and state types are POJOs for Flink, without Kryo inside. */
class DrinkShopTypesSerializerTest {

    @ParameterizedTest
    @ValueSource(
            classes = {
                OrderLine.class,
                EnrichedLine.class,
                StockChange.class,
                ItemSales.Totals.class
            })
    void isAPojoWithoutKryo(Class<?> type) {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(type);
    }
}
