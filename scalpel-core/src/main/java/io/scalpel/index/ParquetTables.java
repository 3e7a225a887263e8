package io.scalpel.index;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.values.factory.DefaultV2ValuesWriterFactory;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;

/**
 * Writers of the index tables over parquet-java without Hadoop: local files and
 * {@link ZstdCodecFactory}. A table is written value by value into parquet-java's column writers
 * ({@link ColumnFile}), from the column arrays of its rows, with no record assembled and no object
 * per row: what parquet-java's record path ({@code ParquetWriter}, {@code MessageColumnIO}) costs
 * per value was the bound of the writer threads.
 */
final class ParquetTables {
    /**
     * Rows per page of packets.parquet: the unit a lookup reads. 4 096 since format 6: a page costs
     * its header and page-index entries (about 60 bytes a column), 3 % of the index at 2 048 rows,
     * and a flow's rows span a flow group's pages whatever their size.
     */
    static final int PACKET_PAGE_ROWS = 4096;
    /** Rows per page of flows.parquet: the unit a flow-hash lookup reads in each chunk. */
    static final int FLOW_PAGE_ROWS = 1024;
    /** Largest bloom filter of one row group (enough for ~100 000 flows at 1 % false positives). */
    static final int MAX_BLOOM_BYTES = 128 * 1024;
    /** False positives of the bloom filters: 2 % makes them half the size of 1 % for most row groups (they are sized in powers of two). */
    static final double BLOOM_FPP = 0.02;
    /** Dictionary pages may grow this large before a column falls back to its plain encoding. */
    private static final int DICTIONARY_PAGE_BYTES = 8 * 1024 * 1024;
    /** No padding of row groups to file-system blocks: a part is read by page, not by block. */
    private static final int NO_PADDING = 0;

    private ParquetTables() {
    }

    /**
     * The settings of a table: data pages v2 (DELTA_BINARY_PACKED for integers), at most
     * {@code pageRows} rows a page, statistics and page indexes, a CRC in every page, a bloom
     * filter of {@link #BLOOM_FPP} false positives on each of {@code bloomColumns}, dictionaries only on
     * {@code dictionaryColumns}.
     */
    static ParquetProperties properties(final int pageRows, final List<String> bloomColumns, final String... dictionaryColumns) {
        final ParquetProperties.Builder b = ParquetProperties.builder()
            .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_2_0)
            // parquet-java's default values-writer factory is one static instance that holds the
            // settings of the properties built last: the packets table's column writers could take the
            // flows table's dictionary choices, or the reverse, as the writer threads and other builds
            // in the JVM interleave. A factory of its own keeps each table's settings, and the bytes
            // written the same from one build to the next.
            .withValuesWriterFactory(new DefaultV2ValuesWriterFactory())
            .withPageRowCountLimit(pageRows)
            .withDictionaryEncoding(false)
            .withDictionaryPageSize(DICTIONARY_PAGE_BYTES)
            .withStatisticsEnabled(true)
            .withPageWriteChecksumEnabled(true)
            .withMaxBloomFilterBytes(MAX_BLOOM_BYTES);
        for (String c : dictionaryColumns) {
            b.withDictionaryEncoding(c, true);
        }
        for (String c : bloomColumns) {
            b.withBloomFilterEnabled(c, true).withBloomFilterFPP(c, BLOOM_FPP);
        }
        return b.build();
    }

    /**
     * {@code table}'s settings with a bloom filter on each of {@code columns} sized for
     * {@code distinct[i]} distinct values at {@link #BLOOM_FPP} false positives: one filter a column,
     * one insert a value. Without a size, parquet-java's adaptive filter inserted every value into
     * eight candidate filters of 1 to 128 KiB and kept the smallest that fitted.
     */
    static ParquetProperties withBloomFilterSizes(final ParquetProperties table, final List<String> columns, final long[] distinct) {
        // a factory of its own, as in properties(): build() initialises the factory with the settings built
        final ParquetProperties.Builder b = ParquetProperties.copy(table).withValuesWriterFactory(new DefaultV2ValuesWriterFactory());
        for (int i = 0; i < columns.size(); i++) {
            b.withBloomFilterNDV(columns.get(i), Math.max(1, distinct[i]));
        }
        return b.build();
    }

    /**
     * One Parquet file written a row group at a time through parquet-java's column writers: the
     * caller writes each value of a row into its column's writer ({@link #column}), then ends the
     * row ({@link #endRow}); a row group ends when asked ({@link #endRowGroup}) or when it holds
     * {@code rowGroupRows} rows.
     */
    static final class ColumnFile implements Closeable {
        private final MessageType schema;
        /** The table's settings. */
        private final ParquetProperties table;
        /** The settings of the row groups being written: the table's, with their bloom filters' sizes. */
        private ParquetProperties props;
        private final Map<String, String> metadata;
        private final int rowGroupRows;
        private final DigestingOutputFile out;
        private final ParquetFileWriter file;
        private final CompressionCodecFactory.BytesInputCompressor compressor =
            ZstdCodecFactory.INSTANCE.getCompressor(CompressionCodecName.ZSTD);
        private final List<ColumnDescriptor> descriptors;
        private final ColumnWriter[] columns;
        private ColumnChunkPageWriteStore pages;
        private ColumnWriteStore store;
        private int rowGroup;
        private long rows;

        ColumnFile(final Path path, final MessageType schema, final ParquetProperties props, final Map<String, String> metadata,
                   final int rowGroupRows) throws IOException {
            this.schema = schema;
            this.table = props;
            this.props = props;
            this.metadata = metadata;
            this.rowGroupRows = rowGroupRows;
            this.descriptors = schema.getColumns();
            this.columns = new ColumnWriter[descriptors.size()];
            this.out = new DigestingOutputFile(path);
            this.file = new ParquetFileWriter(out, schema, ParquetFileWriter.Mode.CREATE, Long.MAX_VALUE,
                NO_PADDING, null, props);
            file.start();
            startRowGroup();
        }

        /**
         * Sizes the bloom filters of the row groups from the next one on for {@code distinct[i]}
         * distinct values of {@code columns.get(i)} ({@link #withBloomFilterSizes}); called between row
         * groups.
         */
        void bloomFilterSizes(final List<String> columns, final long[] distinct) {
            if (rows != 0) {
                throw new IllegalStateException("bloom filters are sized between row groups, not after " + rows + " rows");
            }
            props = withBloomFilterSizes(table, columns, distinct);
            store.close();
            pages.close();
            startRowGroup();
        }

        /** The writer of column {@code i} (in schema order) of the row group being written. */
        ColumnWriter column(final int i) {
            return columns[i];
        }

        /** Ends the row whose values were just written; ends the row group when it is full. */
        void endRow() throws IOException {
            store.endRecord();
            if (++rows == rowGroupRows) {
                endRowGroup();
            }
        }

        /** Writes the rows since the last row group as one (nothing when there are none). */
        void endRowGroup() throws IOException {
            if (rows == 0) {
                return;
            }
            file.startBlock(rows);
            store.flush();
            pages.flushToFileWriter(file);
            file.endBlock();
            store.close();
            pages.close();
            rowGroup++;
            startRowGroup();
        }

        private void startRowGroup() {
            rows = 0;
            pages = new ColumnChunkPageWriteStore(compressor, schema, props.getAllocator(), props.getColumnIndexTruncateLength(),
                props.getPageWriteChecksumEnabled(), null, rowGroup);
            store = props.newColumnWriteStore(schema, pages, pages);
            for (int i = 0; i < columns.length; i++) {
                columns[i] = store.getColumnWriter(descriptors.get(i));
            }
        }

        /** The file's size and digests, once it is closed. */
        IndexManifest.PartFile describe() throws IOException {
            return out.describe();
        }

        /** Writes the last row group and the footer, with {@code metadata} as its key/value metadata. */
        @Override
        public void close() throws IOException {
            try (ParquetFileWriter f = file) {
                endRowGroup();
                out.startFooter();
                f.end(metadata);
            } finally {
                try {
                    store.close();
                    pages.close();
                } finally {
                    compressor.release();
                }
            }
        }
    }
}
