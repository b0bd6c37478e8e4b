package dev.flinkpipelines.common.postgres;

/**
 * The committable: a transaction the writer prepared at a checkpoint barrier, to be committed by
 * the committer once that checkpoint is complete.
 *
 * @param gid the PostgreSQL global transaction id ({@link TransactionId#gid()})
 * @param preparedAtMillis wall-clock time of {@code PREPARE TRANSACTION}, for the commit-latency metric
 * @param rows rows written in the transaction, for logs
 */
public record PreparedTransaction(String gid, long preparedAtMillis, long rows) {}
