package dev.flinkpipelines.common.postgres;

import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compact binary form of a {@link TableRow}: used for the rows flowing between operators (through
 * {@link TableRowSerializer}, so Flink never falls back to Kryo) and for rows the sink writer
 * carries in its checkpoint state. One tag byte per value; the format is versioned by the
 * serializers that use it.
 */
final class TableRowCodec {

    private static final byte NULL = 0;
    private static final byte STRING = 1;
    private static final byte INT = 2;
    private static final byte LONG = 3;
    private static final byte SHORT = 4;
    private static final byte DOUBLE = 5;
    private static final byte BOOLEAN = 6;
    private static final byte DECIMAL = 7;
    private static final byte INSTANT = 8;
    private static final byte DATE = 9;
    private static final byte BYTES = 10;

    /** A job writes a handful of tables; the bound only guards against misuse. */
    private static final int MAX_CACHED_NAMES = 1024;

    private static final Map<String, byte[]> TABLE_NAMES = new ConcurrentHashMap<>();

    private TableRowCodec() {}

    static boolean isSupported(Object v) {
        return v == null
                || v instanceof String
                || v instanceof Integer
                || v instanceof Long
                || v instanceof Short
                || v instanceof Double
                || v instanceof Boolean
                || v instanceof BigDecimal
                || v instanceof Instant
                || v instanceof LocalDate
                || v instanceof byte[];
    }

    static void write(TableRow row, DataOutput out) throws IOException {
        out.write(tableNameUtf(row.table()));
        Object[] values = row.valuesUnsafe();
        out.writeShort(values.length);
        for (Object v : values) {
            writeValue(v, out);
        }
    }

    /**
     * The table name as {@link DataOutput#writeUTF} writes it, computed once per name: Flink's
     * paged views write a UTF string a byte at a time, which was 6 % of video-views' CPU (JFR),
     * paid for every row on its way to the sink. Same bytes, so the format is unchanged.
     */
    private static byte[] tableNameUtf(String table) throws IOException {
        byte[] cached = TABLE_NAMES.get(table);
        if (cached != null) {
            return cached;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(table.length() + 2);
        try (DataOutputStream utf = new DataOutputStream(bytes)) {
            utf.writeUTF(table);
        }
        byte[] encoded = bytes.toByteArray();
        if (TABLE_NAMES.size() < MAX_CACHED_NAMES) {
            TABLE_NAMES.putIfAbsent(table, encoded);
        }
        return encoded;
    }

    static TableRow read(DataInput in) throws IOException {
        String table = in.readUTF();
        int n = in.readShort();
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            values[i] = readValue(in);
        }
        return TableRow.trusted(table, values);
    }

    private static void writeValue(Object v, DataOutput out) throws IOException {
        if (v == null) {
            out.writeByte(NULL);
        } else if (v instanceof String) {
            out.writeByte(STRING);
            writeLongString((String) v, out);
        } else if (v instanceof Integer) {
            out.writeByte(INT);
            out.writeInt((Integer) v);
        } else if (v instanceof Long) {
            out.writeByte(LONG);
            out.writeLong((Long) v);
        } else if (v instanceof Short) {
            out.writeByte(SHORT);
            out.writeShort((Short) v);
        } else if (v instanceof Double) {
            out.writeByte(DOUBLE);
            out.writeDouble((Double) v);
        } else if (v instanceof Boolean) {
            out.writeByte(BOOLEAN);
            out.writeBoolean((Boolean) v);
        } else if (v instanceof BigDecimal) {
            BigDecimal d = (BigDecimal) v;
            out.writeByte(DECIMAL);
            out.writeInt(d.scale());
            writeBytes(d.unscaledValue().toByteArray(), out);
        } else if (v instanceof Instant) {
            Instant t = (Instant) v;
            out.writeByte(INSTANT);
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        } else if (v instanceof LocalDate) {
            out.writeByte(DATE);
            out.writeLong(((LocalDate) v).toEpochDay());
        } else if (v instanceof byte[]) {
            out.writeByte(BYTES);
            writeBytes((byte[]) v, out);
        } else {
            throw new IOException("unsupported value type " + v.getClass().getName());
        }
    }

    private static Object readValue(DataInput in) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case NULL:
                return null;
            case STRING:
                return readLongString(in);
            case INT:
                return in.readInt();
            case LONG:
                return in.readLong();
            case SHORT:
                return in.readShort();
            case DOUBLE:
                return in.readDouble();
            case BOOLEAN:
                return in.readBoolean();
            case DECIMAL:
                int scale = in.readInt();
                return new BigDecimal(new BigInteger(readBytes(in)), scale);
            case INSTANT:
                long seconds = in.readLong();
                return Instant.ofEpochSecond(seconds, in.readInt());
            case DATE:
                return LocalDate.ofEpochDay(in.readLong());
            case BYTES:
                return readBytes(in);
            default:
                throw new IOException("corrupt row: unknown value tag " + tag);
        }
    }

    // writeUTF is limited to 64 KiB; payloads (dead letters) can be larger.
    private static void writeLongString(String s, DataOutput out) throws IOException {
        writeBytes(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), out);
    }

    private static String readLongString(DataInput in) throws IOException {
        return new String(readBytes(in), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void writeBytes(byte[] b, DataOutput out) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt row: negative length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
