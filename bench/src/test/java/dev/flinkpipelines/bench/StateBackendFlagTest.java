package dev.flinkpipelines.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.options.UsageException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.junit.jupiter.api.Test;

class StateBackendFlagTest {

    @Test
    void defaultsToTheProductionRocksdbAndAcceptsHashmap() throws UsageException {
        assertEquals(
                Bench.StateBackend.ROCKSDB, Bench.commandLine().parse().get(Bench.STATE_BACKEND));
        assertEquals(
                Bench.StateBackend.HASHMAP,
                Bench.commandLine().parse("--state-backend", "hashmap").get(Bench.STATE_BACKEND));
        assertThrows(
                UsageException.class, () -> Bench.commandLine().parse("--state-backend", "forst"));
    }

    @Test
    void rocksdbIsTheProductionConfigsBackendWithIncrementalCheckpoints() {
        Configuration rocksdb = new Configuration();
        JobRun.configureStateBackend(rocksdb, Bench.StateBackend.ROCKSDB.flag());
        assertEquals("rocksdb", rocksdb.get(StateBackendOptions.STATE_BACKEND));
        assertTrue(rocksdb.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));

        Configuration hashmap = new Configuration();
        JobRun.configureStateBackend(hashmap, Bench.StateBackend.HASHMAP.flag());
        assertEquals("hashmap", hashmap.get(StateBackendOptions.STATE_BACKEND));
        assertFalse(hashmap.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));
        assertThrows(
                IllegalArgumentException.class,
                () -> JobRun.configureStateBackend(new Configuration(), "forst"));
    }
}
