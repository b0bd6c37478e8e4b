package dev.flinkpipelines.testkit;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * A Flink MiniCluster for a test class: real JobManager, TaskManagers, checkpoints and restarts.
 */
public final class FlinkTestCluster {

    private FlinkTestCluster() {}

    /** One TaskManager with {@code slots} slots, restarting failed jobs quickly. */
    public static MiniClusterExtension create(int slots) {
        return create(slots, new Configuration());
    }

    /**
     * As {@link #create(int)}, with extra cluster settings; some, like the number of retained
     * checkpoints, are read from the cluster and not from the job.
     */
    public static MiniClusterExtension create(int slots, Configuration extra) {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        config.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        config.addAll(extra);
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setConfiguration(config)
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(slots)
                        .build());
    }
}
