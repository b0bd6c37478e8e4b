package dev.flinkpipelines.common.postgres;

import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writer state: rows that were accepted before a checkpoint barrier but not yet written to any
 * transaction (see {@link PostgresTransactionWriter} on why that can happen). They belong to
 * the checkpoint, so a restore writes them exactly once.
 */
final class CarriedRowsSerializer implements SimpleVersionedSerializer<List<TableRow>> {

    @Override
    public int getVersion() {
        return 1;
    }

    @Override
    public byte[] serialize(List<TableRow> rows) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 * (rows.size() + 1));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(rows.size());
            for (TableRow row : rows) {
                TableRowCodec.write(row, out);
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public List<TableRow> deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1) {
            throw new IOException("unknown carried-rows state version " + version);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            int n = in.readInt();
            List<TableRow> rows = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                rows.add(TableRowCodec.read(in));
            }
            return rows;
        }
    }
}
