package dev.flinkpipelines.common.postgres;

/**
 * Where a job's table rows go: the exactly-once PostgreSQL sink when the job runs ({@link
 * PostgresTableSink}), another sink in the benchmark, a collecting one in the pipeline tests. A job
 * hands its {@link TableOutput} to the one it is given, so its pipeline does not depend on its end.
 */
@FunctionalInterface
public interface TableSink {

    /** Attaches a sink to {@code output}'s rows. */
    void write(TableOutput output);
}
