package io.scalpel.index;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.CommunityId;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;

/**
 * One row of the flows table at a time, in reused fields filled from the columns of a projection
 * ({@link FlowRows#KEY_COLUMNS}, every column for {@link PacketIndex#flowRows}); the fields of
 * columns left out keep whatever they held. {@code vlan} and {@code innerVlan} are -1 when
 * null, the ports 0 and {@link #portsKnown} false when null. The Community ID (seed 0) is
 * computed from the key when asked for, once per row.
 */
final class FlowRowMaterializer extends RecordMaterializer<FlowRowMaterializer> implements FlowRowView {
    int chunk;
    int flow;
    long hash;
    long firstTs;
    long lastTs;
    int ipVersion;
    int proto;
    /** The addresses as read, made text when first asked for ({@link #src()}, {@link #dst()}): most rows a query reads are never asked. */
    private Binary srcBytes;
    private String src;
    int srcPort;
    private Binary dstBytes;
    private String dst;
    int dstPort;
    boolean portsKnown;
    /** The row's Community ID once computed; {@link #communityIdDone} says whether it was. */
    private String communityId;
    private boolean communityIdDone;
    private final CommunityId communityIds = new CommunityId(CommunityId.DEFAULT_SEED);
    /** The unit of the timestamps of the part being read; {@link #firstTs} and {@link #lastTs} are in ns. */
    TimestampUnit unit = TimestampUnit.NANOS;
    long packets;
    long bytes;
    int vlan = -1;
    int innerVlan = -1;
    int depth;
    int facts;
    private final GroupConverter root;

    FlowRowMaterializer(final MessageType projection) {
        final Converter[] fields = new Converter[projection.getFieldCount()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = converter(projection.getFieldName(i));
        }
        root = new GroupConverter() {
            @Override
            public Converter getConverter(final int fieldIndex) {
                return fields[fieldIndex];
            }

            @Override
            public void start() {
                communityId = null;
                communityIdDone = false;
                src = null;
                dst = null;
                vlan = -1;
                innerVlan = -1;
                srcPort = 0;
                dstPort = 0;
                portsKnown = false;
            }

            @Override
            public void end() {
            }
        };
    }

    private Converter converter(final String column) {
        switch (column) {
            case IndexSchema.CHUNK: return ints(v -> chunk = v);
            case IndexSchema.FLOW: return ints(v -> flow = v);
            case IndexSchema.FLOW_HASH: return longs(v -> hash = v);
            case IndexSchema.FIRST_TS: return longs(v -> firstTs = unit.toNanos(v));
            case IndexSchema.LAST_TS: return longs(v -> lastTs = unit.toNanos(v));
            case IndexSchema.IP_VERSION: return ints(v -> ipVersion = v);
            case IndexSchema.PROTO: return ints(v -> proto = v);
            case IndexSchema.SRC: return binaries(v -> srcBytes = v);
            case IndexSchema.SRC_PORT: return ints(v -> {
                srcPort = v;
                portsKnown = true;
            });
            case IndexSchema.DST: return binaries(v -> dstBytes = v);
            case IndexSchema.DST_PORT: return ints(v -> dstPort = v);
            case IndexSchema.PACKETS: return longs(v -> packets = v);
            case IndexSchema.BYTES: return longs(v -> bytes = v);
            case IndexSchema.VLAN: return ints(v -> vlan = v);
            case IndexSchema.INNER_VLAN: return ints(v -> innerVlan = v);
            case IndexSchema.DEPTH: return ints(v -> depth = v);
            case IndexSchema.FACTS: return ints(v -> facts = v);
            default: throw new IllegalArgumentException("no field for flows column " + column);
        }
    }

    private static Converter ints(final IntConsumer field) {
        return new PrimitiveConverter() {
            @Override
            public void addInt(final int v) {
                field.accept(v);
            }
        };
    }

    private static Converter longs(final LongConsumer field) {
        return new PrimitiveConverter() {
            @Override
            public void addLong(final long v) {
                field.accept(v);
            }
        };
    }

    /** The value is kept as it is, valid while the row is: a dictionary's entry, or bytes of the page being read. */
    private static Converter binaries(final Consumer<Binary> field) {
        return new PrimitiveConverter() {
            @Override
            public void addBinary(final Binary v) {
                field.accept(v);
            }
        };
    }

    @Override public int chunk() { return chunk; }
    @Override public int flow() { return flow; }
    @Override public long flowHash() { return hash; }
    @Override public long firstTs() { return firstTs; }
    @Override public long lastTs() { return lastTs; }
    @Override public long packets() { return packets; }
    @Override public long bytes() { return bytes; }
    @Override public int ipVersion() { return ipVersion; }
    @Override public int proto() { return proto; }
    @Override
    public String src() {
        if (src == null && srcBytes != null) {
            src = srcBytes.toStringUsingUTF8();
        }
        return src;
    }

    @Override public int srcPort() { return srcPort; }
    @Override
    public String dst() {
        if (dst == null && dstBytes != null) {
            dst = dstBytes.toStringUsingUTF8();
        }
        return dst;
    }

    @Override public int dstPort() { return dstPort; }
    @Override public int vlan() { return vlan; }
    @Override public int innerVlan() { return innerVlan; }
    @Override public int depth() { return depth; }
    @Override public int facts() { return facts; }
    @Override public boolean portsKnown() { return portsKnown || !CommunityId.hasPorts(proto); }

    @Override
    public String communityId() {
        return communityId(communityIds);
    }

    /** The row's Community ID under {@code calculator}'s seed, or null when the key lacks the ports it needs. */
    String communityId(final CommunityId calculator) {
        if (calculator != communityIds) {
            return portsKnown() ? of(calculator) : null;
        }
        if (!communityIdDone) {
            communityId = portsKnown() ? of(calculator) : null;
            communityIdDone = true;
        }
        return communityId;
    }

    private String of(final CommunityId calculator) {
        return communityId(this, calculator);
    }

    /** The Community ID of {@code row}'s key under {@code calculator}'s seed (its ports taken as they are). */
    static String communityId(final FlowRowView row, final CommunityId calculator) {
        final Addresses.Parsed s = Addresses.parse(row.src());
        final Addresses.Parsed d = Addresses.parse(row.dst());
        return calculator.of(row.ipVersion(), s.hi(), s.lo(), row.srcPort(), d.hi(), d.lo(), row.dstPort(), row.proto());
    }

    @Override
    public FlowRowMaterializer getCurrentRecord() {
        return this;
    }

    @Override
    public GroupConverter getRootConverter() {
        return root;
    }
}
