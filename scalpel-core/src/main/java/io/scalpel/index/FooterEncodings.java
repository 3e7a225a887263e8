package io.scalpel.index;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;

/**
 * A part file's footer with each column chunk's encodings in the order of their numbers.
 * parquet-java collects a chunk's encodings in a {@code HashSet}, whose order follows the enum
 * constants' identity hash codes, which change from one JVM to the next: two builds of one capture
 * in two JVMs (two CLI runs, a Spark executor and the CLI) then differed in a few footer bytes.
 * The list is the same set either way and the footer keeps its length, so nothing else in the
 * file moves.
 */
final class FooterEncodings {
    /** The footer's length (4 bytes, little-endian) and Parquet's magic number end the file. */
    private static final int TAIL_LENGTH = 8;
    private static final Comparator<Encoding> BY_NUMBER = Comparator.comparingInt(Encoding::getValue);

    private FooterEncodings() {
    }

    /**
     * {@code region}, the end of a Parquet file from any point before its footer, with the footer's
     * encodings in order; {@code region} itself when its footer is not one this class can rewrite
     * byte for byte (it then stays as parquet-java wrote it).
     */
    static byte[] ordered(final byte[] region) throws IOException {
        if (region.length < TAIL_LENGTH) {
            return region;
        }
        final int length = ByteBuffer.wrap(region, region.length - TAIL_LENGTH, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        final int start = region.length - TAIL_LENGTH - length;
        if (length <= 0 || start < 0) {
            return region;
        }
        final byte[] footer = Arrays.copyOfRange(region, start, start + length);
        final FileMetaData metadata;
        try {
            metadata = Util.readFileMetaData(new ByteArrayInputStream(footer));
            if (!Arrays.equals(footer, write(metadata))) {
                return region; // fields this version of the Thrift classes would not write back as read
            }
        } catch (IOException | RuntimeException e) {
            return region; // not a whole footer: a write that failed, whose file is discarded
        }
        boolean changed = false;
        for (RowGroup group : metadata.getRow_groups()) {
            for (ColumnChunk chunk : group.getColumns()) {
                final ColumnMetaData column = chunk.getMeta_data();
                if (column == null || column.getEncodings() == null) {
                    continue;
                }
                final List<Encoding> sorted = new ArrayList<>(column.getEncodings());
                sorted.sort(BY_NUMBER);
                if (!sorted.equals(column.getEncodings())) {
                    column.setEncodings(sorted);
                    changed = true;
                }
            }
        }
        if (!changed) {
            return region;
        }
        final byte[] rewritten = write(metadata);
        if (rewritten.length != length) {
            return region;
        }
        final byte[] out = region.clone();
        System.arraycopy(rewritten, 0, out, start, length);
        return out;
    }

    private static byte[] write(final FileMetaData metadata) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        Util.writeFileMetaData(metadata, out);
        return out.toByteArray();
    }
}
