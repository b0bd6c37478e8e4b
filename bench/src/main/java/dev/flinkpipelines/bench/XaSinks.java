package dev.flinkpipelines.bench;

import dev.flinkpipelines.common.postgres.PostgresConnectionSettings;
import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableSpec;
import org.apache.flink.connector.jdbc.JdbcExactlyOnceOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.postgresql.xa.PGXADataSource;

/**
 * flink-connector-jdbc's exactly-once (XA) sink for one of a job's tables, fed the same {@link
 * TableRow}s the project's sink gets, with the same SQL semantics: {@code ON CONFLICT DO NOTHING}
 * where the project appends idempotently, {@code DO UPDATE} where it upserts.
 */
final class XaSinks {

    private XaSinks() {}

    static JdbcSink<TableRow> forTable(
            TableSpec table, PostgresConnectionSettings pg, int batchSize) {
        // the connector's DataSource holds the password itself, so it enters this job graph:
        // acceptable
        // for the benchmark's local reference run only, never for a job of the suite
        String password;
        try {
            password = pg.password();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return JdbcSink.<TableRow>builder()
                .withQueryStatement(table.insertSql(), (statement, row) -> row.bindTo(statement))
                .withExecutionOptions(
                        JdbcExecutionOptions.builder()
                                .withBatchSize(batchSize)
                                .withBatchIntervalMs(0)
                                .withMaxRetries(0) // the connector requires 0 for exactly once
                                .build())
                .buildExactlyOnce(
                        JdbcExactlyOnceOptions.builder()
                                // PostgreSQL cannot run several XA transactions on one connection
                                .withTransactionPerConnection(true)
                                .build(),
                        new DataSource(
                                pg.url(),
                                pg.user(),
                                password,
                                table.mode() != TableSpec.WriteMode.UPSERT));
    }

    /** PostgreSQL's own XADataSource, created on the task manager. */
    private static final class DataSource
            implements org.apache.flink.util.function.SerializableSupplier<javax.sql.XADataSource> {
        private static final long serialVersionUID = 1L;
        private final String url;
        private final String user;
        private final String password;
        private final boolean rewriteBatches;

        DataSource(String url, String user, String password, boolean rewriteBatches) {
            this.url = url;
            this.user = user;
            this.password = password;
            this.rewriteBatches = rewriteBatches;
        }

        @Override
        public javax.sql.XADataSource get() {
            PGXADataSource ds = new PGXADataSource();
            ds.setUrl(url);
            ds.setUser(user);
            ds.setPassword(password);
            // the same batching the project's connections use; not for upserts, where one
            // rewritten statement may not touch a key twice
            ds.setReWriteBatchedInserts(rewriteBatches);
            ds.setApplicationName("bench-xa-sink");
            return ds;
        }
    }
}
