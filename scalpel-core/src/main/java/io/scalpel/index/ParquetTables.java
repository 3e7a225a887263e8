package io.scalpel.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * Writers for the index tables over parquet-java without Hadoop: local files, a plain
 * configuration and {@link ZstdCodecFactory}. Rows are written from column arrays through a
 * reused cursor, so no object is created per row.
 */
final class ParquetTables {
    /** Rows per page of packets.parquet: the unit a time-window lookup reads. */
    static final int PACKET_PAGE_ROWS = 2048;
    /** Rows per page of flows.parquet: the unit a flow-hash lookup reads in each chunk. */
    static final int FLOW_PAGE_ROWS = 1024;
    /** Largest bloom filter of one row group (enough for ~100 000 flows at 1 % false positives). */
    static final int MAX_BLOOM_BYTES = 128 * 1024;

    private ParquetTables() {
    }

    /** Writes one row of a table from whatever the cursor points at. */
    interface RowWriter<T> {
        void write(T cursor, RecordConsumer out);
    }

    static <T> ParquetWriter<T> open(final Path file, final MessageType schema, final RowWriter<T> rows,
                                     final Map<String, String> metadata, final int rowGroupRows, final int pageRows,
                                     final java.util.List<String> bloomColumns, final String... dictionaryColumns)
        throws IOException {
        final Builder<T> b = new Builder<>(new LocalOutputFile(file), schema, rows, metadata);
        b.withConf(new PlainParquetConfiguration())
            .withCodecFactory(ZstdCodecFactory.INSTANCE)
            .withCompressionCodec(CompressionCodecName.ZSTD)
            .withWriteMode(ParquetFileWriter.Mode.CREATE)
            .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_2_0)
            .withRowGroupSize(Long.MAX_VALUE / 2)
            .withRowGroupRowCountLimit(rowGroupRows)
            .withPageRowCountLimit(pageRows)
            .withDictionaryEncoding(false)
            .withDictionaryPageSize(8 * 1024 * 1024)
            .withStatisticsEnabled(true)
            .withPageWriteChecksumEnabled(true);
        for (String c : dictionaryColumns) {
            b.withDictionaryEncoding(c, true);
        }
        for (String bloomColumn : bloomColumns) {
            b.withBloomFilterEnabled(bloomColumn, true).withBloomFilterFPP(bloomColumn, 0.01)
                .withAdaptiveBloomFilterEnabled(true).withBloomFilterCandidateNumber(bloomColumn, 8)
                .withMaxBloomFilterBytes(MAX_BLOOM_BYTES);
        }
        return b.build();
    }

    private static final class Builder<T> extends ParquetWriter.Builder<T, Builder<T>> {
        private final MessageType schema;
        private final RowWriter<T> rows;
        private final Map<String, String> metadata;

        Builder(final LocalOutputFile file, final MessageType schema, final RowWriter<T> rows, final Map<String, String> metadata) {
            super(file);
            this.schema = schema;
            this.rows = rows;
            this.metadata = metadata;
        }

        @Override
        protected Builder<T> self() {
            return this;
        }

        @Override
        protected WriteSupport<T> getWriteSupport(final org.apache.hadoop.conf.Configuration conf) {
            return getWriteSupport((ParquetConfiguration) null);
        }

        @Override
        protected WriteSupport<T> getWriteSupport(final ParquetConfiguration conf) {
            return new WriteSupport<>() {
                private RecordConsumer consumer;

                @Override
                public WriteContext init(final ParquetConfiguration configuration) {
                    return new WriteContext(schema, metadata);
                }

                @Override
                public WriteContext init(final org.apache.hadoop.conf.Configuration configuration) {
                    return new WriteContext(schema, metadata);
                }

                @Override
                public void prepareForWrite(final RecordConsumer recordConsumer) {
                    this.consumer = recordConsumer;
                }

                @Override
                public void write(final T record) {
                    rows.write(record, consumer);
                }
            };
        }
    }
}
