package dev.flinkpipelines.common.postgres;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Flink serializer for {@link TableRow}; rows are immutable, so copies share the instance. */
public final class TableRowSerializer extends TypeSerializerSingleton<TableRow> {

    private static final long serialVersionUID = 1L;

    public static final TableRowSerializer INSTANCE = new TableRowSerializer();

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public TableRow createInstance() {
        return TableRow.trusted("", new Object[0]);
    }

    @Override
    public TableRow copy(TableRow from) {
        return from;
    }

    @Override
    public TableRow copy(TableRow from, TableRow reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(TableRow record, DataOutputView target) throws IOException {
        TableRowCodec.write(record, target);
    }

    @Override
    public TableRow deserialize(DataInputView source) throws IOException {
        return TableRowCodec.read(source);
    }

    @Override
    public TableRow deserialize(TableRow reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<TableRow> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot: the format has no parameters, only a version. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<TableRow> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
