package dev.flinkpipelines.common.postgres.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Versioned form of {@link PostgresCommittable} in the committer's checkpointed state. Version 1
 * (the sink's first version) had gid, prepare time and row count; version 2 adds the xid and the
 * staged row count. Version 1 still reads, with an unknown xid.
 */
@Internal
public final class PostgresCommittableSerializer
        implements SimpleVersionedSerializer<PostgresCommittable> {

    static final int V1 = 1;
    static final int V2 = 2;

    @Override
    public int getVersion() {
        return V2;
    }

    @Override
    public byte[] serialize(PostgresCommittable t) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(t.gid());
            out.writeLong(t.xid());
            out.writeLong(t.preparedAtMillis());
            out.writeLong(t.rows());
            out.writeLong(t.stagedRows());
        }
        return bytes.toByteArray();
    }

    @Override
    public PostgresCommittable deserialize(int version, byte[] serialized) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            switch (version) {
                case V1:
                    return new PostgresCommittable(
                            in.readUTF(),
                            TransactionId.UNKNOWN_XID,
                            in.readLong(),
                            in.readLong(),
                            0);
                case V2:
                    return new PostgresCommittable(
                            in.readUTF(),
                            in.readLong(),
                            in.readLong(),
                            in.readLong(),
                            in.readLong());
                default:
                    throw new IOException(
                            "unknown PostgresCommittable version "
                                    + version
                                    + " (written by a newer version of the sink?)");
            }
        }
    }
}
