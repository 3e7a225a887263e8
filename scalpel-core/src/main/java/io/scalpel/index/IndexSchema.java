package io.scalpel.index;

import static org.apache.parquet.schema.LogicalTypeAnnotation.stringType;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;

import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Types;

/**
 * The two Parquet tables of an index (docs/index-format.md).
 *
 * <p>Each table is a Parquet dataset: a directory ({@link #PACKETS_DIR}, {@link #FLOWS_DIR}) of
 * part files ({@link #partFile}): two per scan that added rows, written on two threads, the
 * scan's chunks alternately to one and the other (plus one for an open tail). The manifest lists
 * the parts; every part of a table has the same schema.
 *
 * <p>{@code packets}: one row per frame and IP layer, in capture order: a frame's row for its
 * innermost IP layer (or its only row, without IP), then one row per outer IP layer that
 * encapsulates it, from the next one out to the outermost. A frame without tunnels has one row.
 * <ul>
 *   <li>{@code ts} frame timestamp, TIMESTAMP(NANOS, UTC)</li>
 *   <li>{@code offset} byte offset of the frame's record (pcap) or block (pcapng)</li>
 *   <li>{@code chunk}, {@code flow}: the frame's flow, a row of flows.parquet ({@code flow} -1:
 *       no IP flow). Fragments get the flow of their datagram. A frame's rows share ts and offset
 *       and differ in their flow. The captured length is not stored (format 6): the record's
 *       header at {@code offset} has it</li>
 *   <li>{@code dgram_ts} for IP fragments only: the time their datagram was complete, which is
 *       when Zeek saw it; null otherwise</li>
 * </ul>
 *
 * <p>{@code flows}: one row per flow key and chunk (a run of about {@link IndexBuilder#CHUNK_ROWS}
 * frames), numbered within the chunk in order of first appearance, with its
 * {@link io.scalpel.decode.FlowHash} and the keys a person or a SQL engine needs (addresses as
 * text, ports, protocol, VLAN tags; the ports null when the key lacks the ports its protocol
 * needs), time range, counts and its {@code depth}: 0 for the innermost IP
 * layer of its frames (the key Zeek's conn.log uses), n for the n-th IP layer outward that
 * carries it (a tunnel's outer header). Its Community ID is not stored (format 6): it is a
 * function of the key ({@link FlowRowView#communityId}). Its {@code facts} (format 8) say where
 * the key's connections may split inside the row ({@link FlowFacts}).
 */
public final class IndexSchema {
    /** Directory of the packets table's part files. */
    public static final String PACKETS_DIR = "packets";
    /** Directory of the flows table's part files. */
    public static final String FLOWS_DIR = "flows";
    public static final String MANIFEST_FILE = "manifest.json";
    /** Format 9: where a flow-hash lookup finds the pages it reads in the part files ({@link LookupFile}). */
    public static final String LOOKUP_FILE = "lookup.bin";
    /** Suffix of the index directory placed beside a capture. */
    public static final String INDEX_SUFFIX = ".scalpel";

    public static final String TS = "ts";
    public static final String OFFSET = "offset";
    public static final String CHUNK = "chunk";
    public static final String FLOW = "flow";
    public static final String DGRAM_TS = "dgram_ts";

    public static final String FLOW_HASH = "flow_hash";
    public static final String FIRST_TS = "first_ts";
    public static final String LAST_TS = "last_ts";
    public static final String PACKETS = "packets";
    public static final String BYTES = "bytes";
    public static final String IP_VERSION = "ip_version";
    public static final String PROTO = "proto";
    public static final String SRC = "src";
    public static final String SRC_PORT = "src_port";
    public static final String DST = "dst";
    public static final String DST_PORT = "dst_port";
    public static final String VLAN = "vlan";
    public static final String INNER_VLAN = "inner_vlan";
    public static final String DEPTH = "depth";
    /** Format 8: what a flow row's frames say about where its key's connections split ({@link FlowFacts}). */
    public static final String FACTS = "facts";

    /** The packets table with timestamps in {@code unit}. */
    static MessageType packets(final TimestampUnit unit) {
        return Types.buildMessage()
            .required(INT64).as(unit.logicalType()).named(TS)
            .required(INT64).named(OFFSET)
            .required(INT32).named(CHUNK)
            .required(INT32).named(FLOW)
            .optional(INT64).as(unit.logicalType()).named(DGRAM_TS)
            .named("packet");
    }

    /** The flows table with timestamps in {@code unit}. */
    static MessageType flows(final TimestampUnit unit) {
        return Types.buildMessage()
            .required(INT32).named(CHUNK)
            .required(INT32).named(FLOW)
            .required(INT64).named(FLOW_HASH)
            .required(INT64).as(unit.logicalType()).named(FIRST_TS)
            .required(INT64).as(unit.logicalType()).named(LAST_TS)
            .required(INT64).named(PACKETS)
            .required(INT64).named(BYTES)
            .required(INT32).named(IP_VERSION)
            .required(INT32).named(PROTO)
            .required(BINARY).as(stringType()).named(SRC)
            .optional(INT32).named(SRC_PORT)
            .required(BINARY).as(stringType()).named(DST)
            .optional(INT32).named(DST_PORT)
            .optional(INT32).named(VLAN)
            .optional(INT32).named(INNER_VLAN)
            .required(INT32).named(DEPTH)
            .required(INT32).named(FACTS)
            .named("flow");
    }

    /**
     * The tables' schemas and the columns the lookups' filters name, as parquet-java takes them: built
     * on first use, as a slice's lookup through the lookup file never needs them (nor parquet-java's
     * schema builders, whose first use starts its logging).
     */
    static final class Tables {
        /** The packets table with nanosecond timestamps ({@link #packets} gives it in either unit). */
        static final MessageType PACKETS_SCHEMA = packets(TimestampUnit.NANOS);

        /** The flows table with nanosecond timestamps ({@link #flows} gives it in either unit). */
        static final MessageType FLOWS_SCHEMA = flows(TimestampUnit.NANOS);

        /** The columns the lookups' filters name, as parquet-java's filter API takes them. */
        static final Operators.LongColumn TS_COLUMN = FilterApi.longColumn(TS);
        static final Operators.IntColumn CHUNK_COLUMN = FilterApi.intColumn(CHUNK);
        static final Operators.IntColumn FLOW_COLUMN = FilterApi.intColumn(FLOW);
        static final Operators.LongColumn FLOW_HASH_COLUMN = FilterApi.longColumn(FLOW_HASH);
        static final Operators.LongColumn FIRST_TS_COLUMN = FilterApi.longColumn(FIRST_TS);
        static final Operators.LongColumn LAST_TS_COLUMN = FilterApi.longColumn(LAST_TS);
        static final Operators.BinaryColumn SRC_COLUMN = FilterApi.binaryColumn(SRC);
        static final Operators.BinaryColumn DST_COLUMN = FilterApi.binaryColumn(DST);
        static final Operators.IntColumn SRC_PORT_COLUMN = FilterApi.intColumn(SRC_PORT);
        static final Operators.IntColumn DST_PORT_COLUMN = FilterApi.intColumn(DST_PORT);

        private Tables() {
        }
    }

    private IndexSchema() {
    }

    /**
     * The value the flows table stores in {@code flow_hash} for a {@link io.scalpel.decode.FlowHash}:
     * its high 32 bits, sign-extended (format 6). Sorted 32-bit values cost a chunk of 15 000 flows
     * about 2 bytes a row where 64 bits cost 7; two keys of a chunk that share them are still
     * separate rows, and a lookup of either reads both, the frames of the other then rejected by
     * their key, as for any hash collision.
     */
    public static long storedFlowHash(final long flowHash) {
        return flowHash >> 32;
    }

    /** The name of part {@code number} of a table: {@code part-00000.parquet}, {@code part-00001.parquet}, ... */
    public static String partFile(final int number) {
        return String.format(java.util.Locale.ROOT, "part-%05d.parquet", number);
    }

    /**
     * Whether {@code name} is a part file name as {@link #partFile} makes them (never a path):
     * {@code part-}, five to ten digits, {@code .parquet}; told without a regular expression, as a
     * manifest names every part.
     */
    static boolean isPartFile(final String name) {
        final String prefix = "part-";
        final String suffix = ".parquet";
        final int digits = name.length() - prefix.length() - suffix.length();
        if (digits < 5 || digits > 10 || !name.startsWith(prefix) || !name.endsWith(suffix)) {
            return false;
        }
        for (int i = prefix.length(); i < prefix.length() + digits; i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
