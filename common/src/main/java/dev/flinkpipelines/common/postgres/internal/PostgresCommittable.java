package dev.flinkpipelines.common.postgres.internal;

import org.apache.flink.annotation.Internal;

/**
 * The committable: a transaction a writer prepared at a checkpoint barrier, to be committed by the
 * committer once that checkpoint is complete. It carries what proves which transaction it is: the
 * gid names the transaction's xid, so a committer can neither commit another run's transaction by
 * mistake nor take a transaction that someone rolled back for a committed one.
 *
 * @param gid the PostgreSQL global transaction id ({@link TransactionId#gid()})
 * @param xid the transaction's 64-bit id, or {@link TransactionId#UNKNOWN_XID} for a committable
 *     restored from the sink's first version, which did not record it
 * @param preparedAtMillis wall-clock time of {@code PREPARE TRANSACTION}, for the commit-latency
 *     metric
 * @param rows rows written to their tables in the transaction, for logs
 * @param stagedRows rows the transaction put into the staging table instead (see {@link
 *     StagedRows}); the committer moves them into their tables after the commit
 */
@Internal
public record PostgresCommittable(
        String gid, long xid, long preparedAtMillis, long rows, long stagedRows) {

    public boolean hasXid() {
        return xid != TransactionId.UNKNOWN_XID;
    }

    @Override
    public String toString() {
        return gid
                + " ("
                + rows
                + " rows"
                + (stagedRows > 0 ? ", " + stagedRows + " staged" : "")
                + ")";
    }
}
