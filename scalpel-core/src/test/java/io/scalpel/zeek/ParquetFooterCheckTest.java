package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * What a Parquet log's footer and page headers may declare before anything is allocated by it:
 * each refusal of {@link ParquetFooterCheck}, {@link ParquetLogCodecs} and {@link ParquetPageLimits}
 * provoked by bytes made by hand (Thrift compact protocol, field by field), with sizes that would
 * exhaust the heap if they were believed.
 */
class ParquetFooterCheckTest {
    @TempDir
    Path dir;

    /** "PAR1", the footer, its length, "PAR1". */
    private Path parquet(final byte[] footer) throws IOException {
        final ByteBuffer b = ByteBuffer.allocate(footer.length + 12).order(ByteOrder.LITTLE_ENDIAN);
        b.put("PAR1".getBytes(StandardCharsets.US_ASCII)).put(footer).putInt(footer.length).put("PAR1".getBytes(StandardCharsets.US_ASCII));
        return Files.write(dir.resolve("f.parquet"), b.array());
    }

    private String refusal(final Path file) {
        return assertThrows(ConnLogFormatException.class, () -> ParquetFooterCheck.check(file, "f.parquet")).getMessage();
    }

    private static byte[] bytes(final int... b) {
        final byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void shouldRefuseAListOfMoreElementsThanTheFooterHasBytes() throws IOException {
        // field 1 (i32) = 1; field 2: a list of structs, long form, 2^31 - 1 elements; then zeros
        final byte[] footer = new byte[59];
        System.arraycopy(bytes(0x15, 0x02, 0x19, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x07), 0, footer, 0, 9);
        final Path file = parquet(footer);
        assertEquals(71, Files.size(file));
        assertEquals("f.parquet: unreadable Parquet file (footer byte 9: a list of 2147483647 elements, only 50 bytes left in"
            + " the footer)", refusal(file));
    }

    @Test
    void shouldRefuseAStringLongerThanTheFooter() throws IOException {
        // field 1 binary of 1000 bytes, 3 bytes given
        assertEquals("f.parquet: unreadable Parquet file (footer byte 3: a string of 1000 bytes, only 3 left in the footer)",
            refusal(parquet(bytes(0x18, 0xE8, 0x07, 1, 2, 3))));
    }

    @Test
    void shouldRefuseAMapOfMoreEntriesThanBytes() throws IOException {
        assertEquals("f.parquet: unreadable Parquet file (footer byte 3: a map of 1000 elements, only 1 bytes left in the footer)",
            refusal(parquet(bytes(0x1B, 0xE8, 0x07, 0x55))));
    }

    @Test
    void shouldRefuseStructsNestedTooDeep() throws IOException {
        final byte[] deep = new byte[40];
        java.util.Arrays.fill(deep, (byte) 0x1C); // field 1, a struct, again and again
        assertTrue(refusal(parquet(deep)).contains("nested deeper than 32"));
    }

    @Test
    void shouldRefuseListsNestedTooDeepWithoutAStruct() throws IOException {
        // field 1: a list of one list of one list ... (0x19 then 0x19 again: one element, a list), 40 deep
        final byte[] deep = new byte[80];
        deep[0] = 0x19;
        java.util.Arrays.fill(deep, 1, deep.length, (byte) 0x19);
        assertTrue(refusal(parquet(deep)).contains("nested deeper than 32"), refusal(parquet(deep)));
    }

    @Test
    void shouldRefuseAnUnknownTypeAVarintTooLongAndAFooterThatEndsInsideAValue() throws IOException {
        assertEquals("f.parquet: unreadable Parquet file (footer byte 1: unknown Thrift type 13)", refusal(parquet(bytes(0x1D, 0))));
        assertEquals("f.parquet: unreadable Parquet file (footer byte 11: a varint longer than 10 bytes)",
            refusal(parquet(bytes(0x16, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01))));
        assertEquals("f.parquet: unreadable Parquet file (footer byte 2: the footer ends inside a value)",
            refusal(parquet(bytes(0x15, 0x80))));
    }

    @Test
    void shouldRefuseAFooterLongerThanTheFileOrTheLimit() throws IOException {
        final Path file = parquet(bytes(0x15, 0x02, 0));
        try (RandomAccessFile r = new RandomAccessFile(file.toFile(), "rw")) {
            r.seek(r.length() - 8);
            r.write(bytes(0x00, 0x10, 0, 0)); // 4096
        }
        assertEquals("f.parquet: unreadable Parquet file (footer of 4096 bytes in a file of 15)", refusal(file));
        final Path big = dir.resolve("big.parquet");
        try (RandomAccessFile r = new RandomAccessFile(big.toFile(), "rw")) {
            r.write("PAR1".getBytes(StandardCharsets.US_ASCII));
            r.setLength(ParquetFooterCheck.MAX_FOOTER_BYTES + 100L); // sparse
            r.seek(r.length() - 8);
            r.write(bytes(0x01, 0x00, 0x00, 0x04, 'P', 'A', 'R', '1')); // 64 MiB + 1
        }
        assertEquals("f.parquet: unreadable Parquet file (footer of 67108865 bytes in a file of " + (ParquetFooterCheck.MAX_FOOTER_BYTES + 100L)
            + " (at most 67108864 are read))", assertThrows(ConnLogFormatException.class,
                () -> ParquetFooterCheck.check(big, "f.parquet")).getMessage());
        assertEquals("f.parquet: unreadable Parquet file (file of 10 bytes is too short for Parquet)",
            refusal(Files.write(dir.resolve("short.parquet"), bytes(0x50, 0x41, 0x52, 0x31, 0, 0, 0, 0, 0, 0))));
    }

    @Test
    void shouldLeaveAFooterWithoutMagicToParquetJava() throws IOException {
        ParquetFooterCheck.check(Files.write(dir.resolve("x.parquet"), "PAR1 not a footer at all PARE".getBytes(StandardCharsets.US_ASCII)),
            "x.parquet");
    }

    @Test
    void shouldRefuseAPageWhoseHeaderGivesAnotherUncompressedSizeBeforeAllocatingIt() throws IOException {
        final byte[] data = new byte[1000];
        final byte[] snappy = Snappy.compress(data);
        final byte[] zstd = Zstd.compress(data, 3);
        final ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            g.write(data);
        }
        for (Object[] c : new Object[][] {{CompressionCodecName.SNAPPY, snappy}, {CompressionCodecName.ZSTD, zstd},
            {CompressionCodecName.GZIP, gz.toByteArray()}}) {
            final IOException e = assertThrows(IOException.class, () -> ParquetLogCodecs.INSTANCE
                .getDecompressor((CompressionCodecName) c[0]).decompress(BytesInput.from((byte[]) c[1]), Integer.MAX_VALUE));
            assertEquals("corrupt page: " + c[0] + " page header gives 2147483647 bytes uncompressed, its data 1000 bytes", e.getMessage());
            assertEquals(1000, ParquetLogCodecs.INSTANCE.getDecompressor((CompressionCodecName) c[0])
                .decompress(BytesInput.from((byte[]) c[1]), 1000).size());
        }
    }

    @Test
    void shouldRefuseADictionaryOfMoreEntriesThanItsPageHasBytes() {
        final ColumnDescriptor column = new ColumnDescriptor(new String[] {"uid"},
            Types.required(PrimitiveType.PrimitiveTypeName.BINARY).named("uid"), 0, 0);
        final DictionaryPage huge = new DictionaryPage(BytesInput.from(new byte[16]), Integer.MAX_VALUE, Encoding.PLAIN);
        final PageReadStore pages = new PageReadStore() {
            @Override
            public PageReader getPageReader(final ColumnDescriptor descriptor) {
                return new PageReader() {
                    @Override
                    public DictionaryPage readDictionaryPage() {
                        return huge;
                    }

                    @Override
                    public long getTotalValueCount() {
                        return 1;
                    }

                    @Override
                    public DataPage readPage() {
                        return null;
                    }
                };
            }

            @Override
            public long getRowCount() {
                return 1;
            }

            @Override
            public Optional<Long> getRowIndexOffset() {
                return Optional.of(0L);
            }
        };
        final ParquetDecodingException e = assertThrows(ParquetDecodingException.class,
            () -> ParquetPageLimits.of(pages).getPageReader(column).readDictionaryPage());
        assertEquals("dictionary page of column uid declares 2147483647 entries in 16 bytes", e.getMessage());
    }
}
