package io.scalpel.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times what a slice's result costs with no index at all: the floor under any query of the same
 * frames. The records of a slice's output (a classic pcap, its frames in capture order) are first
 * found in the capture by one sequential pass (their byte offsets); then, round after round, the
 * records are read at those offsets and the output written as a slice writes it (a temporary file
 * beside it, forced to the device, renamed over the last one), each way timed on its own:
 * <ul>
 *   <li>{@code pread}: one positional read of 2 KiB per record (longer when the record is);</li>
 *   <li>{@code fresh map}: the capture mapped again each round, so each record's page is faulted in;</li>
 *   <li>{@code kept map}: one mapping kept across the rounds, its pages already mapped after the first;</li>
 *   <li>{@code write}: the records, gathered in memory, written, forced and renamed.</li>
 * </ul>
 *
 * <p>Usage: {@code ResultFloor CAPTURE.pcap SLICE.pcap OUT_DIR ROUNDS}. Both files are classic
 * little-endian pcaps (the capture's own record format). Prints the medians and minima in ms.
 */
public final class ResultFloor {
    private static final int PCAP_HEADER = 24;
    private static final int RECORD_HEADER = 16;
    private static final int WINDOW = 2048;
    private static final long SEGMENT = 1L << 30;
    private static final int WARM_UP_ROUNDS = 3;

    private ResultFloor() {
    }

    public static void main(final String[] args) throws IOException {
        final Path capture = Path.of(args[0]);
        final Path slice = Path.of(args[1]);
        final Path outDir = Path.of(args[2]);
        final int rounds = Integer.parseInt(args[3]);
        Files.createDirectories(outDir);
        final long[] offsets = offsetsOf(capture, Files.readAllBytes(slice));
        final byte[] header = Arrays.copyOf(Files.readAllBytes(slice), PCAP_HEADER);
        final byte[] gathered = new byte[(int) Files.size(slice)];
        final double[][] ms = new double[4][rounds];
        try (FileChannel in = FileChannel.open(capture)) {
            final MappedByteBuffer[] kept = map(in);
            for (int r = -WARM_UP_ROUNDS; r < rounds; r++) {
                final long t0 = System.nanoTime();
                long check = readPositional(in, offsets);
                final long t1 = System.nanoTime();
                check += gather(map(in), offsets, gathered);
                final long t2 = System.nanoTime();
                final int length = (int) gather(kept, offsets, gathered);
                final long t3 = System.nanoTime();
                System.arraycopy(header, 0, gathered, 0, PCAP_HEADER);
                write(outDir, gathered, length);
                final long t4 = System.nanoTime();
                if (check != 2L * length - PCAP_HEADER) {
                    throw new IllegalStateException("the reads disagree on the records' lengths");
                }
                if (r >= 0) {
                    ms[0][r] = (t1 - t0) / 1e6;
                    ms[1][r] = (t2 - t1) / 1e6;
                    ms[2][r] = (t3 - t2) / 1e6;
                    ms[3][r] = (t4 - t3) / 1e6;
                }
            }
        }
        if (!Arrays.equals(Files.readAllBytes(slice), Files.readAllBytes(outDir.resolve("floor.pcap")))) {
            throw new IllegalStateException("the records read are not the slice's");
        }
        final String[] names = {"pread", "fresh map", "kept map", "write+force+rename"};
        System.out.printf(Locale.ROOT, "%d records, %d bytes, %d rounds%n", offsets.length, gathered.length, rounds);
        for (int k = 0; k < names.length; k++) {
            Arrays.sort(ms[k]);
            System.out.printf(Locale.ROOT, "%s: median %.1f ms, min %.1f ms%n", names[k], ms[k][rounds / 2], ms[k][0]);
        }
    }

    /** The byte offset in the capture of each record of the slice, in order: one pass, comparing each record of the same length. */
    private static long[] offsetsOf(final Path capture, final byte[] slice) throws IOException {
        final ByteBuffer wanted = ByteBuffer.wrap(slice).order(ByteOrder.LITTLE_ENDIAN);
        int count = 0;
        for (int p = PCAP_HEADER; p < slice.length; p += RECORD_HEADER + wanted.getInt(p + 8)) {
            count++;
        }
        final long[] offsets = new long[count];
        int found = 0;
        int at = PCAP_HEADER;
        try (FileChannel in = FileChannel.open(capture)) {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 24).order(ByteOrder.LITTLE_ENDIAN);
            long start = PCAP_HEADER;
            long position = PCAP_HEADER;
            buffer.limit(0);
            final byte[] record = new byte[RECORD_HEADER + 0x40000];
            while (found < count && position < in.size()) {
                int r = (int) (position - start);
                if (r + RECORD_HEADER > buffer.limit() || r + RECORD_HEADER + buffer.getInt(r + 8) > buffer.limit()) {
                    buffer.clear();
                    in.read(buffer, position);
                    buffer.flip();
                    start = position;
                    r = 0;
                }
                final int length = RECORD_HEADER + buffer.getInt(r + 8);
                if (length == RECORD_HEADER + wanted.getInt(at + 8)) {
                    buffer.get(r, record, 0, length);
                    if (Arrays.equals(record, 0, length, slice, at, at + length)) {
                        offsets[found++] = position;
                        at += length;
                    }
                }
                position += length;
            }
        }
        if (found != count) {
            throw new IllegalStateException("found " + found + " of the slice's " + count + " records in " + capture);
        }
        return offsets;
    }

    private static long readPositional(final FileChannel in, final long[] offsets) throws IOException {
        final ByteBuffer window = ByteBuffer.allocate(WINDOW).order(ByteOrder.LITTLE_ENDIAN);
        long total = 0;
        for (long offset : offsets) {
            window.clear();
            in.read(window, offset);
            final int length = RECORD_HEADER + window.getInt(8);
            if (length > window.position()) {
                in.read(ByteBuffer.allocate(length - window.position()), offset + window.position());
            }
            total += length;
        }
        return total;
    }

    private static MappedByteBuffer[] map(final FileChannel in) throws IOException {
        final long size = in.size();
        final MappedByteBuffer[] maps = new MappedByteBuffer[(int) ((size + SEGMENT - 1) / SEGMENT)];
        for (int i = 0; i < maps.length; i++) {
            final long start = i * SEGMENT;
            // each segment overlaps the next by more than a record, so a record is within one
            maps[i] = in.map(FileChannel.MapMode.READ_ONLY, start, Math.min(SEGMENT + 0x50000, size - start));
            maps[i].order(ByteOrder.LITTLE_ENDIAN);
        }
        return maps;
    }

    /** Copies each record after the pcap header's place in {@code out}; returns the end. */
    private static long gather(final MappedByteBuffer[] maps, final long[] offsets, final byte[] out) {
        int n = PCAP_HEADER;
        for (long offset : offsets) {
            final MappedByteBuffer map = maps[(int) (offset / SEGMENT)];
            final int at = (int) (offset % SEGMENT);
            final int length = RECORD_HEADER + map.getInt(at + 8);
            map.get(at, out, n, length);
            n += length;
        }
        return n;
    }

    private static void write(final Path dir, final byte[] bytes, final int length) throws IOException {
        final Path temporary = dir.resolve(".floor.pcap.tmp");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            final ByteBuffer b = ByteBuffer.wrap(bytes, 0, length);
            while (b.hasRemaining()) {
                out.write(b);
            }
            out.force(true);
        }
        Files.move(temporary, dir.resolve("floor.pcap"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
