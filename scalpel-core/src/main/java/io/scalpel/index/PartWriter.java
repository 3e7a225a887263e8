package io.scalpel.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * The two Parquet files of one part ({@code packets/part-N.parquet} and {@code flows/part-N.parquet}),
 * written by one writer thread at a time, and the rows written to each: packet rows by chunk, flow
 * group and capture order ({@link PacketOrder}), each chunk's flows in flow-hash order.
 */
final class PartWriter {
    /** Rows per row group of the flows table: the unit a flow-hash lookup reads (with its bloom filter). */
    static final int FLOW_ROW_GROUP_ROWS = 64 * 1024;

    private final String file;
    private final ParquetWriter<PacketChunk> packetWriter;
    private final ParquetWriter<FlowAccumulator> flowWriter;
    private long packets;
    private long flows;

    /**
     * Creates part {@code file} in both table directories under {@code dir}; row groups of the packets
     * table hold {@code chunkRows} rows; timestamps are written in {@code unit}.
     */
    PartWriter(final Path dir, final String file, final int chunkRows, final TimestampUnit unit) throws IOException {
        this.file = file;
        final Map<String, String> meta = Map.of("scalpel.index.version", Integer.toString(IndexManifest.VERSION));
        this.packetWriter = ParquetTables.open(dir.resolve(IndexSchema.PACKETS_DIR).resolve(file), IndexSchema.packets(unit),
            (c, out) -> PacketChunk.writeRow(c, out, unit), meta, chunkRows, ParquetTables.PACKET_PAGE_ROWS, List.of(), IndexSchema.CAPLEN, IndexSchema.CHUNK);
        ParquetWriter<FlowAccumulator> f = null;
        try {
            f = ParquetTables.open(dir.resolve(IndexSchema.FLOWS_DIR).resolve(file), IndexSchema.flows(unit),
                (t, out) -> FlowAccumulator.writeRow(t, out, unit), meta, FLOW_ROW_GROUP_ROWS, ParquetTables.FLOW_PAGE_ROWS,
                List.of(IndexSchema.FLOW_HASH, IndexSchema.COMMUNITY_ID), IndexSchema.PROTO, IndexSchema.SRC,
                IndexSchema.DST, IndexSchema.SRC_PORT, IndexSchema.DST_PORT, IndexSchema.VLAN, IndexSchema.INNER_VLAN,
                IndexSchema.IP_VERSION, IndexSchema.DEPTH);
        } finally {
            if (f == null) {
                packetWriter.close();
            }
        }
        this.flowWriter = f;
    }

    /** The part's file name, the same in both table directories. */
    String file() {
        return file;
    }

    long packets() {
        return packets;
    }

    long flows() {
        return flows;
    }

    /** Writer thread: one batch of packet rows and its chunk's flows. */
    void write(final PacketChunk batch, final FlowAccumulator table) throws IOException {
        // By chunk, then flow group, then capture order (PacketOrder): a lookup reads a few pages per chunk.
        for (int row : PacketOrder.of(batch)) {
            batch.cursor = row;
            packetWriter.write(batch);
        }
        packets += batch.size;
        // Each chunk's flows in flow-hash order: a lookup by hash reads one page per chunk.
        final int[] order = table.hashOrder();
        for (int i = 0; i < order.length; i++) {
            table.cursor = order[i];
            flowWriter.write(table);
        }
        flows += order.length;
    }

    boolean isEmpty() {
        return packets == 0 && flows == 0;
    }

    void close() throws IOException {
        try {
            packetWriter.close();
        } finally {
            flowWriter.close();
        }
    }
}
