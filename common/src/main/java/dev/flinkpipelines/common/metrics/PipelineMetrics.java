package dev.flinkpipelines.common.metrics;

/**
 * Names of the custom counters every job registers, so the web UI and dashboards read the same in
 * every job. Each is registered by the operator that decides it (see the javadoc of each).
 */
public final class PipelineMetrics {

    /** Records read from Kafka (valid + invalid); by the dead-letter router. */
    public static final String RECORDS_IN = "recordsIn";

    /** Records that parsed and validated; by the dead-letter router. */
    public static final String RECORDS_VALID = "recordsValid";

    /** Records sent to dead letters; by the dead-letter router. */
    public static final String RECORDS_INVALID = "recordsInvalid";

    /** Records dropped as duplicates; by a job's dedup operator. */
    public static final String DUPLICATES_DROPPED = "duplicatesDropped";

    /** Records too late for their window; by a job's window operator. */
    public static final String LATE_RECORDS = "lateRecords";

    private PipelineMetrics() {}
}
