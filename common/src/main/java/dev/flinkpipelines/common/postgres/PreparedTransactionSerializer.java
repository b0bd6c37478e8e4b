package dev.flinkpipelines.common.postgres;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Versioned form of {@link PreparedTransaction} in the committer's checkpointed state. Version 1
 * (the sink's first version) had gid, prepare time and row count; version 2 adds the xid and the
 * staged row count. Version 1 still reads, with an unknown xid.
 */
final class PreparedTransactionSerializer
        implements SimpleVersionedSerializer<PreparedTransaction> {

    static final int V1 = 1;
    static final int V2 = 2;

    @Override
    public int getVersion() {
        return V2;
    }

    @Override
    public byte[] serialize(PreparedTransaction t) throws IOException {
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
    public PreparedTransaction deserialize(int version, byte[] serialized) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            switch (version) {
                case V1:
                    return new PreparedTransaction(
                            in.readUTF(),
                            TransactionId.UNKNOWN_XID,
                            in.readLong(),
                            in.readLong(),
                            0);
                case V2:
                    return new PreparedTransaction(
                            in.readUTF(),
                            in.readLong(),
                            in.readLong(),
                            in.readLong(),
                            in.readLong());
                default:
                    throw new IOException(
                            "unknown PreparedTransaction version "
                                    + version
                                    + " (written by a newer version of the sink?)");
            }
        }
    }
}
