package dev.flinkpipelines.common.postgres;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Versioned form of {@link SinkWriterState}. Version 1 is the sink's first version: a list of
 * carried rows (read, never written). Version 2: owned subtask id, owned id count, pending gids.
 */
final class SinkWriterStateSerializer implements SimpleVersionedSerializer<SinkWriterState> {

    static final int V1_CARRIED_ROWS = 1;
    static final int V2 = 2;

    @Override
    public int getVersion() {
        return V2;
    }

    @Override
    public byte[] serialize(SinkWriterState state) throws IOException {
        if (!state.hasOwnership()) {
            throw new IOException("a first-version writer state is only ever read: " + state);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(state.ownedSubtask());
            out.writeInt(state.ownedSubtaskCount());
            out.writeInt(state.pendingGids().size());
            for (String gid : state.pendingGids()) {
                out.writeUTF(gid);
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public SinkWriterState deserialize(int version, byte[] serialized) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            switch (version) {
                case V1_CARRIED_ROWS:
                    {
                        int n = in.readInt();
                        List<TableRow> rows = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            rows.add(TableRowCodec.read(in));
                        }
                        return SinkWriterState.carried(rows);
                    }
                case V2:
                    {
                        int owned = in.readInt();
                        int count = in.readInt();
                        int n = in.readInt();
                        List<String> pending = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            pending.add(in.readUTF());
                        }
                        return SinkWriterState.of(owned, count, pending);
                    }
                default:
                    throw new IOException(
                            "unknown sink writer state version "
                                    + version
                                    + " (written by a newer version of the sink?)");
            }
        }
    }
}
