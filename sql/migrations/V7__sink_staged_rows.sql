-- The exactly-once sink's staging area (common/.../postgres). A sink writer may not write a table
-- row while its previous prepared transaction still locks that row (the commit of that transaction
-- waits for a checkpoint the same task has to process). In that window - end of input, a stop with
-- savepoint, a late commit notification, a long backlog - the writer stages its rows here instead,
-- inside its own transaction: staging never waits on a lock. The committer moves them into their
-- tables after committing, in one transaction that also deletes them, so a repeated move is a
-- no-op. Rows here are invisible to readers of the real tables; the table is normally empty.
CREATE TABLE flink_sink_staged_rows (
    sink_id  VARCHAR(120) NOT NULL,
    -- the writer subtask that staged the rows: who owns leftovers after a restore
    subtask  INT          NOT NULL,
    -- the PostgreSQL transaction (xid8) that staged them; it is part of the transaction's gid
    xid      BIGINT       NOT NULL,
    -- arrival order within the transaction: upserts are applied in this order
    seq      BIGINT       NOT NULL,
    -- the row (target table and values) in the sink's binary row encoding
    row_data BYTEA        NOT NULL,
    PRIMARY KEY (sink_id, xid, seq)
);

COMMENT ON TABLE flink_sink_staged_rows IS
    'Rows the exactly-once sink wrote while its previous transaction was still prepared; moved into their tables at commit.';
