package dev.flinkpipelines.jobs.kpi;

import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/** The window accumulator kept in state is a POJO for Flink, without Kryo inside. */
class KpiAccumulatorSerializerTest {

    @Test
    void isAPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(KpiAccumulator.class);
    }
}
