package io.scalpel.slice;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.Frame;
import io.scalpel.capture.MappedFile;
import io.scalpel.capture.PcapReader;
import io.scalpel.capture.PcapngBlock;
import io.scalpel.capture.PcapngSections;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes selected frames of a capture as a new capture.
 *
 * <p>In the capture's own format the output keeps the capture's header and copies every record
 * byte for byte in capture order: classic pcap keeps the 24-byte file header (link type,
 * precision, byte order, snaplen); pcapng keeps the header block of each section that holds a
 * selected frame (its section length set to "unknown", since the section now holds less), all its
 * interface description blocks, so interface ids stay valid without rewriting a packet block, and
 * the metadata blocks that still apply (see {@link #create(CaptureReader, List, int, Set,
 * CaptureFormat, Set, OutputStream, Consumer)}).
 *
 * <p>Converting ({@code --format}) rewrites record headers: pcapng to pcap needs one link type
 * and takes nanosecond precision when an interface is finer than microseconds; pcap to pcapng
 * writes one section with one interface.
 */
public abstract class ExtractWriter {
    protected final CaptureSource file;
    protected final OutputStream out;
    private final byte[] copy = new byte[MappedFile.OVERLAP];
    protected long bytesWritten;
    protected long frames;

    ExtractWriter(final CaptureSource file, final OutputStream out) {
        this.file = file;
        this.out = out;
    }

    /**
     * A writer from {@code source}'s format into {@code target}; for pcapng to pcapng, the frames
     * must come in capture order.
     *
     * @param structure     pcapng section, interface and other non-packet blocks of the source, in file order
     *                      (empty for pcap)
     * @param firstSection  pcapng: the section of the first frame to be written (written alone when no frame follows)
     * @param clientRandoms pcapng: the client randoms (64 lower-case hex digits) of the TLS ClientHellos among the
     *                      frames to be written, whose key-log lines are kept; null to drop every decryption secret
     * @param linkTypes     link types of the frames to be written (checked when converting to pcap)
     * @param warnings      receives warnings such as a lossy timestamp resolution
     * @throws IllegalArgumentException when the conversion cannot be lossless in link types
     */
    public static ExtractWriter create(final CaptureReader source, final List<PcapngBlock> structure, final int firstSection,
                                       final Set<String> clientRandoms, final CaptureFormat target,
                                       final Set<Integer> linkTypes, final OutputStream out, final Consumer<String> warnings) {
        final CaptureSource file = source.file();
        if (source.format() == target) {
            return target == CaptureFormat.PCAP ? new PcapCopy(file, out)
                : new PcapngCopy(file, structure, firstSection, clientRandoms, out, warnings);
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
            file.ensure(offset, offset + length);
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

        PcapCopy(final CaptureSource file, final OutputStream out) {
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

    /**
     * pcapng to pcapng: the input's blocks in input order, filtered. A section is written when it
     * holds a frame of the extract (the first frame's section alone for an empty extract): its
     * header (section length set to "unknown"), every interface description (ids stay as they
     * are, so packet blocks are copied byte for byte), the selected packet blocks, name resolution
     * blocks and copyable custom blocks (0x00000BAD). Interface statistics, do-not-copy custom
     * blocks (0x40000BAD) and blocks of unknown types are dropped; decryption secrets too, unless
     * they are kept, and then only as the TLS key-log lines of the extract's client randoms. A
     * metadata block goes right before the first selected packet that follows it in the input, or
     * at the end of its section.
     */
    private static final class PcapngCopy extends ExtractWriter {
        private static final int SHB_BYTE_ORDER = 8;
        private static final int SHB_SECTION_LENGTH = 16;
        private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
        private static final int DSB_SECRETS_TYPE = 8;
        private static final int DSB_SECRETS_LENGTH = 12;
        private static final int DSB_SECRETS = 16;
        private static final int BLOCK_TRAILER_LENGTH = 4;
        /** Largest decryption-secrets block read to keep some of its lines (it is read into the heap). */
        static final int MAX_SECRETS_BLOCK = 64 * 1024 * 1024;
        private final List<PcapngBlock> structure;
        private final PcapngSections sections;
        private final int firstSection;
        private final Set<String> clientRandoms;
        private final Consumer<String> warnings;
        private final Set<Integer> warnedSecretTypes = new java.util.TreeSet<>();
        private int section = -1;
        private ByteOrder order;
        private int cursor;

        PcapngCopy(final CaptureSource file, final List<PcapngBlock> structure, final int firstSection,
                   final Set<String> clientRandoms, final OutputStream out, final Consumer<String> warnings) {
            super(file, out);
            this.structure = structure;
            this.sections = PcapngSections.of(structure);
            this.firstSection = firstSection;
            this.clientRandoms = clientRandoms;
            this.warnings = warnings;
        }

        @Override
        public void start() throws IOException {
            if (section < 0) {
                openSection(firstSection);
            }
        }

        @Override
        public void write(final Frame frame) throws IOException {
            if (frame.section() != section) {
                closeSection();
                openSection(frame.section());
            }
            blocksBefore(frame.recordOffset(), false);
            copy(frame.recordOffset(), frame.recordLength());
            frames++;
        }

        @Override
        public void finish() throws IOException {
            start();
            if (frames == 0) {
                blocksBefore(Long.MAX_VALUE, true);
            } else {
                closeSection();
            }
            out.flush();
        }

        private void closeSection() throws IOException {
            if (section >= 0) {
                blocksBefore(Long.MAX_VALUE, false);
            }
        }

        private void openSection(final int s) throws IOException {
            final int i = sections.header(s);
            if (i < 0) {
                if (s == 0 && structure.isEmpty()) {
                    throw new IOException(file.path() + ": the index lists no pcapng section header block; re-run `scalpel index`");
                }
                throw new IOException(file.path() + ": the index lists no header of pcapng section " + s + "; re-run `scalpel index`");
            }
            final PcapngBlock b = structure.get(i);
            section = s;
            cursor = i + 1;
            file.ensure(b.offset(), b.offset() + b.length());
            final int segment = file.segmentOf(b.offset());
            final int at = (int) (b.offset() - file.segmentBase(segment));
            final ByteBuffer view = file.view(segment, ByteOrder.BIG_ENDIAN);
            order = view.getInt(at + SHB_BYTE_ORDER) == BYTE_ORDER_MAGIC ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            final byte[] shb = new byte[b.length()];
            view.get(at, shb, 0, b.length());
            for (int k = 0; k < Long.BYTES; k++) {
                shb[SHB_SECTION_LENGTH + k] = (byte) 0xFF; // -1: length not specified
            }
            emit(shb, shb.length);
        }

        /** Writes the kept blocks of the open section that lie before {@code limit}. */
        private void blocksBefore(final long limit, final boolean interfacesOnly) throws IOException {
            while (cursor < structure.size()) {
                final PcapngBlock b = structure.get(cursor);
                if (b.section() != section || b.offset() >= limit) {
                    return;
                }
                cursor++;
                switch (b.type()) {
                    case PcapngBlock.INTERFACE_DESCRIPTION:
                        copyBlock(b);
                        break;
                    case PcapngBlock.NAME_RESOLUTION:
                    case PcapngBlock.CUSTOM_COPYABLE:
                        if (!interfacesOnly) {
                            copyBlock(b);
                        }
                        break;
                    case PcapngBlock.DECRYPTION_SECRETS:
                        if (!interfacesOnly && clientRandoms != null) {
                            secrets(b);
                        }
                        break;
                    default:
                        break; // statistics, do-not-copy custom blocks, unknown types
                }
            }
        }

        /** A decryption-secrets block cut down to the TLS key-log lines of the extract's client randoms. */
        private void secrets(final PcapngBlock b) throws IOException {
            if (b.length() < DSB_SECRETS + BLOCK_TRAILER_LENGTH) {
                warnings.accept(file.path() + ": byte offset " + b.offset() + ": decryption secrets block of " + b.length()
                    + " bytes is shorter than its fixed fields: dropped");
                return;
            }
            final ByteBuffer head = ByteBuffer.allocate(DSB_SECRETS).order(order);
            read(b.offset(), head.array(), DSB_SECRETS);
            final int type = head.getInt(DSB_SECRETS_TYPE);
            final long length = Integer.toUnsignedLong(head.getInt(DSB_SECRETS_LENGTH));
            if (type != TlsKeyLog.SECRETS_TYPE_TLS) {
                if (warnedSecretTypes.add(type)) {
                    warnings.accept(String.format("%s: byte offset %d: decryption secrets of type 0x%08x are not a TLS key log: "
                        + "dropped (--keep-secrets keeps TLS key-log lines only)", file.path(), b.offset(), type));
                }
                return;
            }
            if (b.length() > MAX_SECRETS_BLOCK) {
                warnings.accept(file.path() + ": byte offset " + b.offset() + ": decryption secrets block of " + b.length()
                    + " bytes exceeds " + MAX_SECRETS_BLOCK + " bytes: dropped");
                return;
            }
            final long padded = (length + 3) & ~3L;
            if (DSB_SECRETS + padded + BLOCK_TRAILER_LENGTH > b.length()) {
                warnings.accept(file.path() + ": byte offset " + b.offset() + ": decryption secrets length " + length
                    + " overruns its block of " + b.length() + " bytes: dropped");
                return;
            }
            final byte[] block = new byte[b.length()];
            read(b.offset(), block, b.length());
            final byte[] kept = TlsKeyLog.linesOf(java.util.Arrays.copyOfRange(block, DSB_SECRETS, DSB_SECRETS + (int) length),
                (int) length, clientRandoms);
            if (kept.length == 0) {
                return;
            }
            final int optionsFrom = DSB_SECRETS + (int) padded;
            final int optionsLength = b.length() - BLOCK_TRAILER_LENGTH - optionsFrom;
            final int keptPadded = (kept.length + 3) & ~3;
            final int total = DSB_SECRETS + keptPadded + optionsLength + BLOCK_TRAILER_LENGTH;
            final ByteBuffer dsb = ByteBuffer.allocate(total).order(order);
            dsb.putInt(PcapngBlock.DECRYPTION_SECRETS).putInt(total).putInt(type).putInt(kept.length).put(kept);
            dsb.position(DSB_SECRETS + keptPadded);
            dsb.put(block, optionsFrom, optionsLength).putInt(total);
            emit(dsb.array(), total);
        }

        private void copyBlock(final PcapngBlock b) throws IOException {
            long at = b.offset();
            long left = b.length();
            while (left > 0) {
                final int n = (int) Math.min(left, MappedFile.OVERLAP);
                copy(at, n);
                at += n;
                left -= n;
            }
        }

        /** The first {@code length} bytes of the capture at {@code offset}, in pieces that each lie in one mapped segment. */
        private void read(final long offset, final byte[] dst, final int length) throws IOException {
            int done = 0;
            while (done < length) {
                final long at = offset + done;
                final int n = Math.min(length - done, MappedFile.OVERLAP);
                file.ensure(at, at + n);
                final int segment = file.segmentOf(at);
                file.view(segment, ByteOrder.BIG_ENDIAN).get((int) (at - file.segmentBase(segment)), dst, done, n);
                done += n;
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

        PcapngToPcap(final CaptureSource file, final OutputStream out, final int linkType, final Consumer<String> warnings) {
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

        PcapToPcapng(final CaptureSource file, final OutputStream out, final int linkType, final int snaplen, final boolean nanos) {
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
