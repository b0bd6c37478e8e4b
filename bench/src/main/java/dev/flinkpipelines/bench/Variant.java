package dev.flinkpipelines.bench;

import java.util.Locale;

/** How a job's PostgreSQL rows are written in one run. */
enum Variant {
    /** The project's sink as the job builds it; --bounded (BATCH). */
    EXACTLY_ONCE("exactly-once", "project sink, exactly once (PREPARE + COMMIT PREPARED)"),
    /** The same sink with a plain COMMIT at each barrier; --bounded (BATCH). */
    AT_LEAST_ONCE("at-least-once", "project sink, at least once (plain COMMIT)"),
    /** flink-connector-jdbc's XA sink on the job's main table. */
    XA("xa", "flink-connector-jdbc XA sink (exactly once), main table only"),
    /** The project's exactly-once sink in streaming execution, the XA run's conditions. */
    EXACTLY_ONCE_STREAMING(
            "exactly-once-streaming",
            "project sink, exactly once, streaming execution like the XA run");

    final String flag;
    final String description;

    Variant(String flag, String description) {
        this.flag = flag;
        this.description = description;
    }

    static Variant of(String flag) {
        for (Variant v : values()) {
            if (v.flag.equals(flag.trim().toLowerCase(Locale.ROOT))) {
                return v;
            }
        }
        throw new IllegalArgumentException(
                "unknown variant '"
                        + flag
                        + "' (expected exactly-once, at-least-once, xa, exactly-once-streaming)");
    }
}
