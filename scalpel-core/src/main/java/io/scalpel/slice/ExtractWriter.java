package io.scalpel.slice;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.capture.MappedFile;
import io.scalpel.capture.PcapReader;
import io.scalpel.capture.PcapngBlock;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes selected frames of a capture as a new capture.
 *
 * <p>In the capture's own format the output keeps the capture's header and copies every record
 * byte for byte in capture order: classic pcap keeps the 24-byte file header (link type,
 * precision, byte order, snaplen); pcapng keeps each section's header block (its section length
 * set to "unknown", since the section now holds less) and its interface description blocks, so
 * interface ids stay valid without rewriting a packet block.
 *
 * <p>Converting ({@code --format}) rewrites record headers: pcapng to pcap needs one link type
 * and takes nanosecond precision when an interface is finer than microseconds; pcap to pcapng
 * writes one section with one interface.
 */
public abstract class ExtractWriter {
    protected final MappedFile file;
    protected final OutputStream out;
    private final byte[] copy = new byte[MappedFile.OVERLAP];
    protected long bytesWritten;
    protected long frames;

    ExtractWriter(final MappedFile file, final OutputStream out) {
        this.file = file;
        this.out = out;
    }

    /**
     * A writer from {@code source}'s format into {@code target}.
     *
     * @param structure pcapng section and interface blocks of the source (empty for pcap)
     * @param linkTypes link types of the frames to be written (checked when converting to pcap)
     * @param warnings  receives warnings such as a lossy timestamp resolution
     * @throws IllegalArgumentException when the conversion cannot be lossless in link types
     */
    public static ExtractWriter create(final CaptureReader source, final List<PcapngBlock> structure,
                                       final CaptureFormat target, final java.util.Set<Integer> linkTypes,
                                       final OutputStream out, final Consumer<String> warnings) {
        final MappedFile file = source.file();
        if (source.format() == target) {
            return target == CaptureFormat.PCAP ? new PcapCopy(file, out) : new PcapngCopy(file, structure, out);
        }
        if (target == CaptureFormat.PCAP) {
            if (linkTypes.size() > 1) {
                throw new IllegalArgumentException("cannot write one pcap from frames of several link types " + linkTypes
                    + ": pcap has one link type per file; use --format pcapng or --split-dir");
            }
            final int linkType = linkTypes.isEmpty() ? 1 : linkTypes.iterator().next();
            return new PcapngToPcap(file, out, linkType, warnings);
        }
        final PcapReader pcap = (PcapReader) source;
        return new PcapToPcapng(file, out, pcap.linkType(), pcap.snaplen(), pcap.nanosecondResolution());
    }

    /** Writes one frame (as read by the source reader). */
    public abstract void write(Frame frame) throws IOException;

    /** Writes the header even when no frame follows; idempotent. */
    public abstract void start() throws IOException;

    public void finish() throws IOException {
        start();
        out.flush();
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    public long frames() {
        return frames;
    }

    /** Copies {@code length} bytes of the capture at {@code offset} to the output. */
    protected final void copy(final long offset, final int length) throws IOException {
        if (length <= MappedFile.OVERLAP) {
            final int segment = file.segmentOf(offset);
            final ByteBuffer view = file.view(segment, ByteOrder.BIG_ENDIAN);
            view.get((int) (offset - file.segmentBase(segment)), copy, 0, length);
        } else {
            throw new IOException(file.path() + ": byte offset " + offset + ": block of " + length + " bytes is too long to copy");
        }
        out.write(copy, 0, length);
        bytesWritten += length;
    }

    protected final void emit(final byte[] bytes, final int length) throws IOException {
        out.write(bytes, 0, length);
        bytesWritten += length;
    }

    /** Frame bytes into {@code dst} at {@code at}. */
    protected static void frameBytes(final Frame frame, final byte[] dst, final int at) {
        frame.buffer().get(frame.dataOffset(), dst, at, frame.capturedLength());
    }

    private static final class PcapCopy extends ExtractWriter {
        private boolean started;

        PcapCopy(final MappedFile file, final OutputStream out) {
            super(file, out);
        }

        @Override
        public void start() throws IOException {
            if (!started) {
                started = true;
                copy(0, PcapReader.FILE_HEADER_LENGTH);
            }
        }

        @Override
        public void write(final Frame frame) throws IOException {
            start();
            copy(frame.recordOffset(), frame.recordLength());
            frames++;
        }
    }

    private static final class PcapngCopy extends ExtractWriter {
        private static final int SHB_SECTION_LENGTH = 16;
        private final List<PcapngBlock> structure;
        private int section = -1;

        PcapngCopy(final MappedFile file, final List<PcapngBlock> structure, final OutputStream out) {
            super(file, out);
            this.structure = structure;
        }

        @Override
        public void start() throws IOException {
            if (section < 0) {
                startSection(0);
            }
        }

        @Override
        public void write(final Frame frame) throws IOException {
            if (frame.section() != section) {
                startSection(frame.section());
            }
            copy(frame.recordOffset(), frame.recordLength());
            frames++;
        }

        private void startSection(final int s) throws IOException {
            section = s;
            for (PcapngBlock b : structure) {
                if (b.section() != s) {
                    continue;
                }
                if (b.type() == PcapngBlock.SECTION_HEADER) {
                    final int segment = file.segmentOf(b.offset());
                    final int at = (int) (b.offset() - file.segmentBase(segment));
                    final byte[] shb = new byte[b.length()];
                    file.view(segment, ByteOrder.BIG_ENDIAN).get(at, shb, 0, b.length());
                    for (int i = 0; i < Long.BYTES; i++) {
                        shb[SHB_SECTION_LENGTH + i] = (byte) 0xFF; // -1: length not specified
                    }
                    emit(shb, shb.length);
                } else if (b.type() == PcapngBlock.INTERFACE_DESCRIPTION) {
                    copy(b.offset(), b.length());
                }
            }
        }
    }

    private static final class PcapngToPcap extends ExtractWriter {
        private final int linkType;
        private final Consumer<String> warnings;
        private final byte[] record = new byte[PcapReader.RECORD_HEADER_LENGTH + CaptureReader.MAX_CAPLEN];
        private final ByteBuffer header = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        private boolean started;
        private boolean warnedLossy;
        private boolean warnedResolution;

        PcapngToPcap(final MappedFile file, final OutputStream out, final int linkType, final Consumer<String> warnings) {
            super(file, out);
            this.linkType = linkType;
            this.warnings = warnings;
        }

        @Override
        public void start() throws IOException {
            if (!started) {
                started = true;
                final ByteBuffer h = ByteBuffer.allocate(PcapReader.FILE_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
                h.putInt(0xA1B23C4D).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                    .putInt(CaptureReader.MAX_CAPLEN).putInt(linkType);
                emit(h.array(), h.capacity());
            }
        }

        @Override
        public void write(final Frame frame) throws IOException {
            start();
            if (!frame.timestampKnown() && !warnedLossy) {
                warnedLossy = true;
                warnings.accept("simple packet blocks have no timestamp: they get the previous packet's in the pcap");
            }
            if (frame.finerThanNanoseconds() && !warnedResolution) {
                warnedResolution = true;
                warnings.accept("timestamps finer than a nanosecond are cut to nanoseconds in the pcap");
            }
            final long ts = frame.timestampNanos();
            header.putInt(0, (int) Math.floorDiv(ts, 1_000_000_000L));
            header.putInt(4, (int) Math.floorMod(ts, 1_000_000_000L));
            header.putInt(8, frame.capturedLength());
            header.putInt(12, frame.originalLength());
            frameBytes(frame, record, PcapReader.RECORD_HEADER_LENGTH);
            emit(record, PcapReader.RECORD_HEADER_LENGTH + frame.capturedLength());
            frames++;
        }
    }

    private static final class PcapToPcapng extends ExtractWriter {
        private static final int EPB_FIXED = 32;
        private final int linkType;
        private final int snaplen;
        private final boolean nanos;
        private final byte[] block = new byte[EPB_FIXED + CaptureReader.MAX_CAPLEN + 4];
        private final ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        private boolean started;

        PcapToPcapng(final MappedFile file, final OutputStream out, final int linkType, final int snaplen, final boolean nanos) {
            super(file, out);
            this.linkType = linkType;
            this.snaplen = snaplen;
            this.nanos = nanos;
        }

        @Override
        public void start() throws IOException {
            if (started) {
                return;
            }
            started = true;
            final ByteBuffer shb = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
            shb.putInt(PcapngBlock.SECTION_HEADER).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0)
                .putLong(-1L).putInt(28);
            emit(shb.array(), 28);
            final int idbLength = nanos ? 32 : 20;
            final ByteBuffer idb = ByteBuffer.allocate(idbLength).order(ByteOrder.LITTLE_ENDIAN);
            idb.putInt(PcapngBlock.INTERFACE_DESCRIPTION).putInt(idbLength).putShort((short) linkType).putShort((short) 0)
                .putInt(snaplen);
            if (nanos) {
                idb.putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3]).putShort((short) 0).putShort((short) 0);
            }
            idb.putInt(idbLength);
            emit(idb.array(), idbLength);
        }

        @Override
        public void write(final Frame frame) throws IOException {
            start();
            final int caplen = frame.capturedLength();
            final int padded = (caplen + 3) & ~3;
            final int length = EPB_FIXED + padded;
            final long units = nanos ? frame.timestampNanos() : Math.floorDiv(frame.timestampNanos(), 1000L);
            b.putInt(0, PcapngBlock.ENHANCED_PACKET).putInt(4, length).putInt(8, 0)
                .putInt(12, (int) (units >>> 32)).putInt(16, (int) units).putInt(20, caplen).putInt(24, frame.originalLength());
            frameBytes(frame, block, 28);
            for (int i = 28 + caplen; i < 28 + padded; i++) {
                block[i] = 0;
            }
            b.putInt(28 + padded, length);
            emit(block, length);
            frames++;
        }
    }
}
