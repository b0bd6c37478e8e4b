package dev.flinkpipelines.common.postgres.internal;

import dev.flinkpipelines.common.postgres.TableRow;
import dev.flinkpipelines.common.postgres.TableRowSerializer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;

/**
 * Versioned form of {@link PostgresWriterState}. Version 1 is the sink's first version: a list of
 * carried rows (read, never written). Version 2: owned subtask id, owned id count, pending gids.
 */
@Internal
public final class PostgresWriterStateSerializer
        implements SimpleVersionedSerializer<PostgresWriterState> {

    static final int V1_CARRIED_ROWS = 1;
    static final int V2 = 2;

    @Override
    public int getVersion() {
        return V2;
    }

    @Override
    public byte[] serialize(PostgresWriterState state) throws IOException {
        if (!state.hasOwnership()) {
            throw new IOException("a first-version writer state is only ever read: " + state);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputViewStreamWrapper out = new DataOutputViewStreamWrapper(bytes)) {
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
    public PostgresWriterState deserialize(int version, byte[] serialized) throws IOException {
        try (DataInputViewStreamWrapper in =
                new DataInputViewStreamWrapper(new ByteArrayInputStream(serialized))) {
            switch (version) {
                case V1_CARRIED_ROWS:
                    {
                        int n = in.readInt();
                        List<TableRow> rows = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            rows.add(TableRowSerializer.INSTANCE.deserialize(in));
                        }
                        return PostgresWriterState.carried(rows);
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
                        return PostgresWriterState.of(owned, count, pending);
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
