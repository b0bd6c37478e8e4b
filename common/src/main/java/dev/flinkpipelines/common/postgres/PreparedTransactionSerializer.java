package dev.flinkpipelines.common.postgres;

import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Versioned form of {@link PreparedTransaction} in the committer's checkpointed state. */
final class PreparedTransactionSerializer implements SimpleVersionedSerializer<PreparedTransaction> {

    @Override
    public int getVersion() {
        return 1;
    }

    @Override
    public byte[] serialize(PreparedTransaction t) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(t.gid());
            out.writeLong(t.preparedAtMillis());
            out.writeLong(t.rows());
        }
        return bytes.toByteArray();
    }

    @Override
    public PreparedTransaction deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1) {
            throw new IOException("unknown PreparedTransaction version " + version);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            return new PreparedTransaction(in.readUTF(), in.readLong(), in.readLong());
        }
    }
}
