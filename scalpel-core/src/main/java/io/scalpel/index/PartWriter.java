package io.scalpel.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The two Parquet files of one part ({@code packets/part-N.parquet} and {@code flows/part-N.parquet}),
 * written by one writer thread at a time, and the rows written to each: packet rows by chunk, flow
 * group and capture order ({@link PacketOrder}), each chunk's flows in flow-hash order, a row group
 * of their own.
 */
final class PartWriter {
    /**
     * Most rows per row group of the flows table, which also ends with each chunk's flows: the unit
     * a flow-hash lookup or a query skips by its bloom filters and time statistics.
     */
    static final int FLOW_ROW_GROUP_ROWS = 64 * 1024;
    /**
     * The flows table's columns with a bloom filter in each row group: the flow hash (a lookup by
     * hash or uid), the addresses and ports (a query's {@code host} and {@code port} terms).
     */
    static final List<String> BLOOM_COLUMNS = List.of(IndexSchema.FLOW_HASH, IndexSchema.SRC, IndexSchema.DST,
        IndexSchema.SRC_PORT, IndexSchema.DST_PORT);

    private final String file;
    private final TimestampUnit unit;
    private final ParquetTables.ColumnFile packetFile;
    private final ParquetTables.ColumnFile flowFile;
    private final AddressTexts addresses = new AddressTexts();
    private long packets;
    private long flows;

    /**
     * Creates part {@code file} in both table directories under {@code dir}; row groups of the packets
     * table hold at most {@code chunkRows} rows; timestamps are written in {@code unit}.
     */
    PartWriter(final Path dir, final String file, final int chunkRows, final TimestampUnit unit) throws IOException {
        this.file = file;
        this.unit = unit;
        final Map<String, String> meta = Map.of("scalpel.index.version", Integer.toString(IndexManifest.VERSION));
        this.packetFile = new ParquetTables.ColumnFile(dir.resolve(IndexSchema.PACKETS_DIR).resolve(file), IndexSchema.packets(unit),
            ParquetTables.properties(ParquetTables.PACKET_PAGE_ROWS, List.of(), IndexSchema.CHUNK), meta, chunkRows);
        ParquetTables.ColumnFile f = null;
        try {
            f = new ParquetTables.ColumnFile(dir.resolve(IndexSchema.FLOWS_DIR).resolve(file), IndexSchema.flows(unit),
                ParquetTables.properties(ParquetTables.FLOW_PAGE_ROWS, BLOOM_COLUMNS,
                    IndexSchema.PROTO, IndexSchema.SRC, IndexSchema.DST, IndexSchema.SRC_PORT, IndexSchema.DST_PORT, IndexSchema.VLAN,
                    IndexSchema.INNER_VLAN, IndexSchema.IP_VERSION, IndexSchema.DEPTH),
                meta, FLOW_ROW_GROUP_ROWS);
        } finally {
            if (f == null) {
                packetFile.close();
            }
        }
        this.flowFile = f;
    }

    /** Size and digests of {@code packets/FILE}, once the part is closed. */
    IndexManifest.PartFile packetsFile() throws IOException {
        return packetFile.describe();
    }

    /** Size and digests of {@code flows/FILE}, once the part is closed. */
    IndexManifest.PartFile flowsFile() throws IOException {
        return flowFile.describe();
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
            batch.writeRow(row, packetFile, unit);
        }
        packetFile.endRowGroup(); // a row group per batch: one chunk's rows (and those carried into it)
        packets += batch.size;
        // Each chunk's flows in flow-hash order: a lookup by hash reads one page per chunk.
        final int[] order = table.hashOrder();
        flowFile.bloomFilterSizes(BLOOM_COLUMNS, table.distinctBloomValues());
        for (int i = 0; i < order.length; i++) {
            table.writeRow(order[i], flowFile, unit, addresses);
        }
        flowFile.endRowGroup(); // a row group per chunk: its time statistics and bloom filters are the chunk's
        flows += order.length;
    }

    boolean isEmpty() {
        return packets == 0 && flows == 0;
    }

    void close() throws IOException {
        try {
            packetFile.close();
        } finally {
            flowFile.close();
        }
    }
}
