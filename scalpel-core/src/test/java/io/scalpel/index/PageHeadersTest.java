package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.capture.MappedFile;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.GeneratorSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page header fields the lookup file copies, read by {@link PageHeaders} against parquet-java's
 * Thrift reader ({@code Util.readPageHeader}) for every page of every column of a generated
 * index's parts (data pages with their statistics, which it skips, and dictionary pages); a header
 * cut short is refused.
 */
class PageHeadersTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadWhatParquetJavaReadsOfEveryPageHeader() throws IOException {
        final Path capture = dir.resolve("c.pcap");
        CaptureGenerator.generate(GeneratorSpec.everything(9313).withConnections(200), capture, null);
        final Path index = dir.resolve("idx");
        new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, SmallChunks.rowsFor(150)).build();
        final int[] counts = new int[2]; // pages, dictionaries
        for (String table : new String[] {IndexSchema.PACKETS_DIR, IndexSchema.FLOWS_DIR}) {
            for (int part = 0; part < 2; part++) {
                assertEveryHeader(index.resolve(table).resolve(IndexSchema.partFile(part)), counts);
            }
        }
        assertTrue(counts[0] > 100 && counts[1] > 10, counts[0] + " pages, " + counts[1] + " dictionaries");
    }

    private static void assertEveryHeader(final Path file, final int[] counts) throws IOException {
        final byte[] bytes = Files.readAllBytes(file);
        try (ParquetFileReader r = ParquetFileReader.open(new IndexInputFile(file), IndexPart.readOptions(FilterCompat.NOOP))) {
            for (BlockMetaData b : r.getFooter().getBlocks()) {
                for (ColumnChunkMetaData c : b.getColumns()) {
                    if (c.hasDictionaryPage() && c.getDictionaryPageOffset() > 0) {
                        assertSame(bytes, c.getDictionaryPageOffset());
                        counts[1]++;
                    }
                    final OffsetIndex o = r.readOffsetIndex(c);
                    for (int p = 0; p < o.getPageCount(); p++) {
                        assertSame(bytes, o.getOffset(p));
                        counts[0]++;
                    }
                }
            }
        }
    }

    private static void assertSame(final byte[] bytes, final long at) throws IOException {
        final ByteArrayInputStream in = new ByteArrayInputStream(bytes, (int) at, bytes.length - (int) at);
        final PageHeader want = Util.readPageHeader(in);
        final long end = bytes.length - in.available();
        final PageHeaders got = PageHeaders.read(ByteBuffer.wrap(bytes), at);
        final String where = "page header at byte " + at;
        assertEquals(end, got.end(), where);
        assertEquals(want.getType().getValue(), got.type, where);
        assertEquals(want.getUncompressed_page_size(), got.uncompressedSize, where);
        assertEquals(want.getCompressed_page_size(), got.compressedSize, where);
        assertEquals(want.isSetCrc(), got.hasCrc, where);
        assertEquals(want.getCrc(), got.crc, where);
        if (want.isSetDictionary_page_header()) {
            assertEquals(want.getDictionary_page_header().getNum_values(), got.numValues, where);
            assertEquals(want.getDictionary_page_header().getEncoding().getValue(), got.encoding, where);
        } else {
            final DataPageHeaderV2 v2 = want.getData_page_header_v2();
            assertEquals(v2.getNum_values(), got.numValues, where);
            assertEquals(v2.getNum_nulls(), got.numNulls, where);
            assertEquals(v2.getNum_rows(), got.numRows, where);
            assertEquals(v2.getEncoding().getValue(), got.encoding, where);
            assertEquals(v2.getDefinition_levels_byte_length(), got.definitionLevelsLength, where);
            assertEquals(v2.getRepetition_levels_byte_length(), got.repetitionLevelsLength, where);
            assertEquals(v2.isIs_compressed(), got.isCompressed, where);
        }
        final byte[] cut = Arrays.copyOf(bytes, (int) (end - 1));
        assertThrows(IOException.class, () -> PageHeaders.read(ByteBuffer.wrap(cut), at), where + " cut short");
    }
}
