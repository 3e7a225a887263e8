package io.scalpel.testdata;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a generated classic pcap into rotated files by time, as {@code tcpdump -G} would: file k
 * holds the frames with a timestamp in [{@code cuts[k-1]}, {@code cuts[k]}). Each piece is written
 * as pcap (the source's file header, records copied) or as pcapng (one little-endian section, one
 * microsecond interface of the source's link type, an EPB per frame), and keeps its truth: which
 * frames of the source it holds and at which offsets.
 */
public final class RotatedCaptures {
    private RotatedCaptures() {
    }

    /**
     * One rotated file.
     *
     * @param file    where it was written
     * @param frames  the source's truth frames it holds, in order
     * @param offsets the record (block) offset of each of them in the file
     */
    public record Piece(Path file, List<TruthFrame> frames, List<Long> offsets) {
    }

    /**
     * Cuts {@code source} into {@code pcapng.length} files in {@code dir} covering equal spans of
     * the capture's time, named by {@code nameFormat} (a {@link String#format} pattern taking the
     * file's number and its extension, e.g. {@code "trace-%02d.%s"}); file {@code k} is pcapng
     * when {@code pcapng[k]}.
     */
    public static List<Piece> cutEvenly(final Path source, final Generated truth, final Path dir, final String nameFormat,
                                        final boolean... pcapng) throws IOException {
        final long first = truth.firstTsNanos();
        final long span = truth.lastTsNanos() - first;
        final long[] cuts = new long[pcapng.length - 1];
        final List<Path> files = new java.util.ArrayList<>();
        for (int k = 0; k < pcapng.length; k++) {
            if (k > 0) {
                cuts[k - 1] = first + span * k / pcapng.length;
            }
            files.add(dir.resolve(String.format(nameFormat, k, pcapng[k] ? "pcapng" : "pcap")));
        }
        return cut(source, truth, files, cuts, pcapng);
    }

    /**
     * Writes the pieces.
     *
     * @param source   a classic pcap written by {@link CaptureGenerator} (microsecond or nanosecond)
     * @param truth    its truth
     * @param files    the names of the pieces, one more than {@code cuts}
     * @param cuts     the ascending times (ns) where a new file starts
     * @param pcapng   for each piece, whether it is written as pcapng
     */
    public static List<Piece> cut(final Path source, final Generated truth, final List<Path> files, final long[] cuts,
                                  final boolean[] pcapng) throws IOException {
        if (files.size() != cuts.length + 1 || pcapng.length != files.size()) {
            throw new IllegalArgumentException(files.size() + " files for " + cuts.length + " cuts and " + pcapng.length + " formats");
        }
        final byte[] bytes = Files.readAllBytes(source);
        final ByteOrder order = (bytes[0] & 0xFF) == 0xD4 || (bytes[0] & 0xFF) == 0x4D ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        final java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(bytes, 0, PcapFileWriter.FILE_HEADER_LENGTH).order(order);
        final boolean nanos = header.getInt(0) == (int) PcapFileWriter.MAGIC_NANOSECONDS;
        final int snaplen = header.getInt(16);
        final int linkType = header.getInt(20) & 0xFFFF;
        final List<Piece> pieces = new ArrayList<>();
        for (int k = 0; k < files.size(); k++) {
            final long from = k == 0 ? Long.MIN_VALUE : cuts[k - 1];
            final long to = k == cuts.length ? Long.MAX_VALUE : cuts[k];
            final List<TruthFrame> frames = new ArrayList<>();
            final List<Long> offsets = new ArrayList<>();
            for (TruthFrame f : truth.frames()) {
                if (f.tsNanos() >= from && f.tsNanos() < to) {
                    frames.add(f);
                }
            }
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(files.get(k)))) {
                if (pcapng[k]) {
                    final PcapngFileWriter w = new PcapngFileWriter(out);
                    w.sectionHeader(ByteOrder.LITTLE_ENDIAN, List.of());
                    final List<PcapngFileWriter.Option> resolution = nanos
                        ? List.of(new PcapngFileWriter.Option(PcapngFileWriter.IF_TSRESOL, new byte[] {9})) : List.of();
                    w.interfaceDescription(linkType, snaplen, resolution);
                    for (TruthFrame f : frames) {
                        final byte[] data = frameData(bytes, f);
                        offsets.add(w.enhancedPacket(f.number(), 0, nanos ? f.tsNanos() : f.tsNanos() / 1000, data,
                            f.capturedLength(), List.of()));
                    }
                } else {
                    out.write(bytes, 0, PcapFileWriter.FILE_HEADER_LENGTH);
                    long at = PcapFileWriter.FILE_HEADER_LENGTH;
                    for (TruthFrame f : frames) {
                        out.write(bytes, (int) f.recordOffset(), f.recordLength());
                        offsets.add(at);
                        at += f.recordLength();
                    }
                }
            }
            pieces.add(new Piece(files.get(k), frames, offsets));
        }
        return pieces;
    }

    /** The frame bytes of a pcap record (padded to the original length, which the writer needs). */
    private static byte[] frameData(final byte[] pcap, final TruthFrame f) {
        final byte[] data = new byte[f.originalLength()];
        System.arraycopy(pcap, (int) f.recordOffset() + PcapFileWriter.RECORD_HEADER_LENGTH, data, 0, f.capturedLength());
        return data;
    }
}
