package dev.flinkpipelines.bench;

import dev.flinkpipelines.common.postgres.TableSpec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The ceiling: the rows a job run left in its tables, exported, then loaded with one {@code COPY
 * ... FROM STDIN} per table (the sink's own column list, so defaults and sequences fire the same
 * way) into empty tables created {@code LIKE} the originals {@code INCLUDING ALL} — same columns,
 * constraints and indexes. Timed: the COPYs and their commits, nothing else.
 */
final class CopyCeiling {

    private CopyCeiling() {}

    static Results.Ceiling measure(Services services, List<TableSpec> tables, Path dir)
            throws Exception {
        Results.Ceiling ceiling = new Results.Ceiling();
        Files.createDirectories(dir);
        try (Connection c = services.connect()) {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            int i = 0;
            for (TableSpec t : tables) {
                String columns = String.join(", ", t.columns());
                Path file = dir.resolve("ceiling-" + i + ".copy");
                long rows;
                try (OutputStream out =
                        new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
                    rows =
                            copy.copyOut(
                                    "COPY (SELECT " + columns + " FROM " + t.name() + ") TO STDOUT",
                                    out);
                }
                ceiling.rowsPerTable.put(t.name(), rows);
                String clone = "bench_ceiling_" + i++;
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS " + clone);
                    s.execute("CREATE TABLE " + clone + " (LIKE " + t.name() + " INCLUDING ALL)");
                    s.execute("CHECKPOINT");
                }
                long start = System.nanoTime();
                try (InputStream in =
                        new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
                    copy.copyIn("COPY " + clone + " (" + columns + ") FROM STDIN", in);
                }
                ceiling.seconds += (System.nanoTime() - start) / 1e9;
                ceiling.rows += rows;
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE " + clone);
                }
                Files.delete(file);
            }
        }
        return ceiling;
    }
}
