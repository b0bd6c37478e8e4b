package dev.flinkpipelines.testkit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/**
 * A failure injected mid-stream, for failure tests on a MiniCluster: slows the stream (so
 * checkpoints happen while data flows) and throws once, after a subtask has seen {@code
 * afterElements} records and two checkpoints have completed. Its flags are static (the MiniCluster
 * shares the JVM) and named, so tests do not see each other's failures.
 */
public final class FailOnceAfterCheckpoints<T> extends RichMapFunction<T, T>
        implements CheckpointListener {

    private static final long serialVersionUID = 1L;
    private static final Map<String, AtomicBoolean> FAILED = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> CHECKPOINTS = new ConcurrentHashMap<>();

    private final String name;
    private final long afterElements;
    private final long sleepMillisPerElement;
    private long seen;

    public FailOnceAfterCheckpoints(String name, long afterElements, long sleepMillisPerElement) {
        this.name = name;
        this.afterElements = afterElements;
        this.sleepMillisPerElement = sleepMillisPerElement;
        FAILED.put(name, new AtomicBoolean());
        CHECKPOINTS.put(name, new AtomicInteger());
    }

    /** Whether the failure named {@code name} has happened. */
    public static boolean failed(String name) {
        return FAILED.containsKey(name) && FAILED.get(name).get();
    }

    @Override
    public T map(T value) throws Exception {
        Thread.sleep(sleepMillisPerElement);
        if (++seen >= afterElements
                && CHECKPOINTS.get(name).get() >= 2
                && FAILED.get(name).compareAndSet(false, true)) {
            throw new IllegalStateException(
                    "injected failure mid-stream (" + name + ") at " + value);
        }
        return value;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        CHECKPOINTS.get(name).incrementAndGet();
    }
}
