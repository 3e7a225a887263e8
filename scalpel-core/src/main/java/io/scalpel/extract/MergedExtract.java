package io.scalpel.slice;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.capture.CaptureChangedException;
import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.MappedFile;
import io.scalpel.capture.PcapReader;
import io.scalpel.capture.PcapngBlock;
import io.scalpel.capture.PcapngReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Writes the selected frames of several captures (the members of a capture set) as one capture,
 * merged by timestamp: the k-way merge mergecap does. The frames of one source keep their capture
 * order; among the sources' next frames the earliest goes first (the earlier source on a tie).
 *
 * <p>Output formats: classic pcap needs one link type over every source. When every source is a
 * pcap file with the same 24-byte file header, that header and every record are copied byte for
 * byte; otherwise the pcap is written little-endian with nanosecond timestamps. pcapng gets one
 * section with one interface per (source, section, interface) that has frames in the extract, in
 * order of first use: its link type, no snaplen limit, nanosecond resolution and an
 * {@code if_description} naming the source file and interface; each frame becomes an enhanced
 * packet block (the sources' own options and metadata blocks are not carried over).
 *
 * <p>Heap: one reader, one frame flyweight and one record buffer per source, whatever the number of frames.
 */
public final class MergedExtract {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int LINKTYPE_ETHERNET = 1;

    /**
     * One source.
     *
     * @param capture   the capture file
     * @param length    the bytes of it that its index covers (the frames to write lie in them)
     * @param structure pcapng: its sections, interfaces and other non-packet blocks (from its index); empty for pcap
     * @param linkTypes every link type of the capture (from its index)
     * @param offsets   record offsets of the frames to write, in capture order
     */
    public record Source(Path capture, long length, List<PcapngBlock> structure, List<Integer> linkTypes, long[] offsets) {
    }

    private MergedExtract() {
    }

    /**
     * The format an extract of {@code sources} gets by default: pcap when every source is a pcap
     * file and they share one link type, pcapng otherwise.
     */
    public static CaptureFormat defaultFormat(final List<Source> sources, final List<CaptureFormat> formats) {
        final Set<Integer> linkTypes = new TreeSet<>();
        for (int i = 0; i < sources.size(); i++) {
            if (formats.get(i) != CaptureFormat.PCAP) {
                return CaptureFormat.PCAPNG;
            }
            linkTypes.addAll(sources.get(i).linkTypes());
        }
        return linkTypes.size() <= 1 ? CaptureFormat.PCAP : CaptureFormat.PCAPNG;
    }

    /**
     * Refuses a pcap extract of sources of several link types.
     *
     * @throws IllegalArgumentException naming two files and their link types
     */
    public static void checkOneLinkType(final List<Source> sources) {
        Source first = null;
        int firstType = 0;
        for (Source s : sources) {
            if (s.linkTypes().size() > 1) {
                throw new IllegalArgumentException("cannot write one pcap from capture set members of several link types: "
                    + s.capture() + " has link types " + s.linkTypes() + "; pcap has one link type per file: use --format pcapng"
                    + " (the default for such members) or --split-dir");
            }
            if (s.linkTypes().isEmpty()) {
                continue;
            }
            final int type = s.linkTypes().get(0);
            if (first == null) {
                first = s;
                firstType = type;
            } else if (type != firstType) {
                throw new IllegalArgumentException("cannot write one pcap from capture set members of different link types: "
                    + first.capture() + " has link type " + firstType + ", " + s.capture() + " has link type " + type
                    + "; pcap has one link type per file: use --format pcapng (the default for such members)");
            }
        }
    }

    /**
     * Writes the frames of every source, merged by timestamp, as a capture in {@code format}.
     *
     * @return frames written
     * @throws IllegalArgumentException when {@code format} is pcap and the sources have several link types
     */
    public static long write(final List<Source> sources, final CaptureFormat format, final Consumer<String> warnings,
                             final OutputStream out) throws IOException {
        if (format == CaptureFormat.PCAP) {
            checkOneLinkType(sources);
        }
        final List<Cursor> cursors = new ArrayList<>(sources.size());
        try {
            for (Source s : sources) {
                cursors.add(new Cursor(s, cursors.size()));
            }
            final Output output = format == CaptureFormat.PCAP ? pcapOutput(cursors, out) : new PcapngOutput(out);
            final PriorityQueue<Cursor> heads = new PriorityQueue<>((a, b) -> {
                final int c = Long.compare(a.frame.timestampNanos(), b.frame.timestampNanos());
                return c != 0 ? c : Integer.compare(a.number, b.number);
            });
            for (Cursor c : cursors) {
                if (c.advance()) {
                    heads.add(c);
                }
            }
            output.start();
            long frames = 0;
            while (!heads.isEmpty()) {
                final Cursor c = heads.poll();
                output.write(c);
                frames++;
                if (c.advance()) {
                    heads.add(c);
                }
            }
            out.flush();
            for (Cursor c : cursors) {
                CaptureChangedException.requireUnchanged(c.file);
            }
            return frames;
        } catch (InternalError fault) {
            // a member cut short while it was read (its mapped memory faulted)
            throw CaptureChangedException.after(fault, cursors.stream().map(c -> c.file).toArray(CaptureSource[]::new));
        } finally {
            for (Cursor c : cursors) {
                c.close();
            }
        }
    }

    /** Where one source is in its frames. */
    private static final class Cursor implements AutoCloseable {
        final Source source;
        final int number;
        final MappedFile file;
        final CaptureReader reader;
        final Frame frame = new Frame();
        int next;

        Cursor(final Source source, final int number) throws IOException {
            this.source = source;
            this.number = number;
            this.file = new MappedFile(source.capture(), source.length(), MappedFile.DEFAULT_SEGMENT_SIZE);
            try {
                this.reader = CaptureReader.on(file);
            } catch (IOException | RuntimeException e) {
                file.close();
                throw e;
            }
            if (reader instanceof PcapngReader ng) {
                ng.layout(source.structure());
            }
        }

        boolean advance() throws IOException {
            if (next >= source.offsets().length) {
                return false;
            }
            reader.readAt(source.offsets()[next++], frame);
            return true;
        }

        @Override
        public void close() throws IOException {
            reader.close();
            file.close();
        }
    }

    private interface Output {
        void start() throws IOException;

        void write(Cursor c) throws IOException;
    }

    private static Output pcapOutput(final List<Cursor> cursors, final OutputStream out) throws IOException {
        byte[] header = null;
        boolean same = true;
        int linkType = LINKTYPE_ETHERNET;
        for (Cursor c : cursors) {
            if (!c.source.linkTypes().isEmpty()) {
                linkType = c.source.linkTypes().get(0);
            }
            if (!(c.reader instanceof PcapReader)) {
                same = false;
                continue;
            }
            final byte[] h = new byte[PcapReader.FILE_HEADER_LENGTH];
            c.file.read(0, h, 0, h.length);
            if (header == null) {
                header = h;
            } else if (!Arrays.equals(header, h)) {
                same = false;
            }
        }
        return same && header != null ? new PcapCopy(header, out) : new PcapRewrite(linkType, out);
    }

    /** Every source has this file header: it and the records are copied. */
    private static final class PcapCopy implements Output {
        private final byte[] header;
        private final OutputStream out;
        private final byte[] record = new byte[PcapReader.RECORD_HEADER_LENGTH + CaptureReader.MAX_CAPLEN];

        PcapCopy(final byte[] header, final OutputStream out) {
            this.header = header;
            this.out = out;
        }

        @Override
        public void start() throws IOException {
            out.write(header);
        }

        @Override
        public void write(final Cursor c) throws IOException {
            final Frame f = c.frame;
            c.file.read(f.recordOffset(), record, 0, f.recordLength());
            out.write(record, 0, f.recordLength());
        }
    }

    /** Little-endian pcap with nanosecond timestamps. */
    private static final class PcapRewrite implements Output {
        private final int linkType;
        private final OutputStream out;
        private final byte[] record = new byte[PcapReader.RECORD_HEADER_LENGTH + CaptureReader.MAX_CAPLEN];
        private final ByteBuffer header = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);

        PcapRewrite(final int linkType, final OutputStream out) {
            this.linkType = linkType;
            this.out = out;
        }

        @Override
        public void start() throws IOException {
            final ByteBuffer h = ByteBuffer.allocate(PcapReader.FILE_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0xA1B23C4D).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(CaptureReader.MAX_CAPLEN).putInt(linkType);
            out.write(h.array());
        }

        @Override
        public void write(final Cursor c) throws IOException {
            final Frame f = c.frame;
            final long ts = f.timestampNanos();
            header.putInt(0, (int) Math.floorDiv(ts, NANOS_PER_SECOND));
            header.putInt(4, (int) Math.floorMod(ts, NANOS_PER_SECOND));
            header.putInt(8, f.capturedLength());
            header.putInt(12, f.originalLength());
            f.buffer().get(f.dataOffset(), record, PcapReader.RECORD_HEADER_LENGTH, f.capturedLength());
            out.write(record, 0, PcapReader.RECORD_HEADER_LENGTH + f.capturedLength());
        }
    }

    /** One little-endian section; an interface per (source, section, interface id) in order of first use. */
    private static final class PcapngOutput implements Output {
        private static final int SHB_LENGTH = 28;
        private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
        private static final int EPB_FIXED = 28;
        private static final int BLOCK_TRAILER = 4;
        private static final int IF_DESCRIPTION = 3;
        private static final int IF_TSRESOL = 9;
        private static final int NANOSECONDS = 9;
        private final OutputStream out;
        private final Map<Long, Integer> interfaces = new HashMap<>();
        private final byte[] block = new byte[EPB_FIXED + CaptureReader.MAX_CAPLEN + 3 + BLOCK_TRAILER];
        private final ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);

        PcapngOutput(final OutputStream out) {
            this.out = out;
        }

        @Override
        public void start() throws IOException {
            final ByteBuffer shb = ByteBuffer.allocate(SHB_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            shb.putInt(PcapngBlock.SECTION_HEADER).putInt(SHB_LENGTH).putInt(BYTE_ORDER_MAGIC).putShort((short) 1).putShort((short) 0)
                .putLong(-1L).putInt(SHB_LENGTH);
            out.write(shb.array());
        }

        @Override
        public void write(final Cursor c) throws IOException {
            final Frame f = c.frame;
            final long key = ((long) c.number << 40) | ((long) f.section() << 20) | f.interfaceId();
            Integer id = interfaces.get(key);
            if (id == null) {
                id = interfaces.size();
                interfaces.put(key, id);
                describe(c, f);
            }
            final int caplen = f.capturedLength();
            final int padded = (caplen + 3) & ~3;
            final int length = EPB_FIXED + padded + BLOCK_TRAILER;
            final long ts = f.timestampNanos();
            b.putInt(0, PcapngBlock.ENHANCED_PACKET).putInt(4, length).putInt(8, id)
                .putInt(12, (int) (ts >>> 32)).putInt(16, (int) ts).putInt(20, caplen).putInt(24, f.originalLength());
            f.buffer().get(f.dataOffset(), block, EPB_FIXED, caplen);
            Arrays.fill(block, EPB_FIXED + caplen, EPB_FIXED + padded, (byte) 0);
            b.putInt(EPB_FIXED + padded, length);
            out.write(block, 0, length);
        }

        /** The interface description block of the frame's interface. */
        private void describe(final Cursor c, final Frame f) throws IOException {
            final byte[] text = (c.source.capture().getFileName() + " interface " + f.interfaceId()
                + (f.section() > 0 ? " of section " + f.section() : "")).getBytes(StandardCharsets.UTF_8);
            final int textPadded = (text.length + 3) & ~3;
            // header 8, link type 2, reserved 2, snaplen 4, options: description, tsresol (4 + 4), end (4), trailer 4
            final int length = 16 + 4 + textPadded + 8 + 4 + BLOCK_TRAILER;
            final ByteBuffer idb = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            idb.putInt(PcapngBlock.INTERFACE_DESCRIPTION).putInt(length).putShort((short) f.linkType()).putShort((short) 0).putInt(0);
            idb.putShort((short) IF_DESCRIPTION).putShort((short) text.length).put(text).put(new byte[textPadded - text.length]);
            idb.putShort((short) IF_TSRESOL).putShort((short) 1).put((byte) NANOSECONDS).put(new byte[3]);
            idb.putShort((short) 0).putShort((short) 0);
            idb.putInt(length);
            out.write(idb.array());
        }
    }
}
