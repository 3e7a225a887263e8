package org.apache.parquet;

import java.util.Map;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.format.converter.ParquetMetadataConverter;

/**
 * Read options built without {@link ParquetReadOptions.Builder}, whose constructor loads Hadoop
 * MapReduce classes (to read a filter from a Hadoop configuration) that the index reader neither
 * needs nor ships. Lives in parquet's package for its package-private constructor; the pinned
 * parquet-java version and the index tests keep the two in step.
 */
public final class HadoopFreeReadOptions {
    private static final int MAX_ALLOCATION = 8 * 1024 * 1024;

    private HadoopFreeReadOptions() {
    }

    /** Every filter on: statistics, dictionaries, bloom filters, page indexes, records. */
    public static ParquetReadOptions filtered(final FilterCompat.Filter filter, final CompressionCodecFactory codecs) {
        return new ParquetReadOptions(
            false, true, true, true, true, false, true, false, false,
            filter, ParquetMetadataConverter.NO_FILTER, codecs, new HeapByteBufferAllocator(), MAX_ALLOCATION,
            Map.of(), null, null, new PlainParquetConfiguration());
    }

    /** As {@link #filtered}, and every page's CRC verified as the page is read (the index's own files carry them). */
    public static ParquetReadOptions checked(final FilterCompat.Filter filter, final CompressionCodecFactory codecs) {
        return new ParquetReadOptions(
            false, true, true, true, true, true, true, false, false,
            filter, ParquetMetadataConverter.NO_FILTER, codecs, new HeapByteBufferAllocator(), MAX_ALLOCATION,
            Map.of(), null, null, new PlainParquetConfiguration());
    }
}
