package dev.flinkpipelines.common.postgres.internal;

import dev.flinkpipelines.common.postgres.PostgresConnectionSettings;
import dev.flinkpipelines.common.postgres.TableSpec;
import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * Everything a sink's writers and committers share, as the builder set it.
 *
 * @param fenceGrace how long a starting writer waits for another job holding the sink id to let go
 *     before it refuses to run (a job just stopped may still be closing its connections)
 * @param commitRetryTimeout how long a committer retries a commit through connection errors (a
 *     PostgreSQL restart) before it hands the commit back to Flink for a later checkpoint
 * @param backlogCommitWait how long, once per checkpoint, a writer whose buffer filled up behind
 *     its previous prepared transaction holds its input for that commit before it stages rows
 */
@Internal
public record SinkConfig(
        String sinkId,
        PostgresConnectionSettings connection,
        List<TableSpec> tables,
        int batchSize,
        Duration lockTimeout,
        boolean exactlyOnce,
        Duration fenceGrace,
        Duration commitRetryTimeout,
        Duration backlogCommitWait)
        implements Serializable {

    public SinkConfig {
        tables = List.copyOf(tables);
    }

    Map<String, TableSpec> tablesByName() {
        Map<String, TableSpec> byName = new LinkedHashMap<>();
        for (TableSpec t : tables) {
            byName.put(t.name(), t);
        }
        return byName;
    }
}
