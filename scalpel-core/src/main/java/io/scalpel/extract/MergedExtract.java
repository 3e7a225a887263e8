package io.scalpel.extract;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.capture.CaptureChangedException;
import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.MappedFile;
import io.scalpel.capture.PcapReader;
import io.scalpel.capture.PcapngBlock;
import io.scalpel.capture.PcapngReader;
import io.scalpel.decode.LinkTypes;
import java.io.IOException;
import java.io.OutputStream;
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
 * <p>Heap: one reader and one frame flyweight per source, and one record buffer, whatever the number of frames.
 */
public final class MergedExtract {
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
            final Output output = format == CaptureFormat.PCAP ? pcapOutput(cursors, out) : new MergedPcapng(out);
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
        int linkType = LinkTypes.LINKTYPE_ETHERNET;
        for (Cursor c : cursors) {
            if (!c.source.linkTypes().isEmpty()) {
                linkType = c.source.linkTypes().get(0);
            }
            if (!(c.reader instanceof PcapReader)) {
                same = false;
                continue;
            }
            final byte[] h = new byte[PcapEncoder.FILE_HEADER_LENGTH];
            c.file.get(PcapEncoder.FILE_HEADER_OFFSET, h, 0, h.length);
            if (header == null) {
                header = h;
            } else if (!Arrays.equals(header, h)) {
                same = false;
            }
        }
        return same && header != null ? new SameHeaderPcap(header, out) : new RewrittenPcap(linkType, out);
    }

    /** Every source has this file header: it and the records are copied. */
    private static final class SameHeaderPcap implements Output {
        private final byte[] header;
        private final OutputStream out;
        private final CaptureCopy copy = new CaptureCopy();

        SameHeaderPcap(final byte[] header, final OutputStream out) {
            this.header = header;
            this.out = out;
        }

        @Override
        public void start() throws IOException {
            out.write(header);
        }

        @Override
        public void write(final Cursor c) throws IOException {
            copy.copy(c.file, c.frame.recordOffset(), c.frame.recordLength(), out);
        }
    }

    /** Little-endian pcap with nanosecond timestamps ({@link PcapEncoder}). */
    private static final class RewrittenPcap implements Output {
        private final int linkType;
        private final OutputStream out;
        private final PcapEncoder encoder = new PcapEncoder();

        RewrittenPcap(final int linkType, final OutputStream out) {
            this.linkType = linkType;
            this.out = out;
        }

        @Override
        public void start() throws IOException {
            out.write(PcapEncoder.fileHeader(linkType));
        }

        @Override
        public void write(final Cursor c) throws IOException {
            encoder.writeRecord(c.frame, out);
        }
    }

    /** One little-endian section; an interface per (source, section, interface id) in order of first use ({@link PcapngEncoder}). */
    private static final class MergedPcapng implements Output {
        /** Bits of the interface key below a source's number, and below a section's. */
        private static final int SOURCE_SHIFT = 40;
        private static final int SECTION_SHIFT = 20;
        private final OutputStream out;
        private final Map<Long, Integer> interfaces = new HashMap<>();
        private final PcapngEncoder encoder = new PcapngEncoder();

        MergedPcapng(final OutputStream out) {
            this.out = out;
        }

        @Override
        public void start() throws IOException {
            out.write(PcapngEncoder.sectionHeader());
        }

        @Override
        public void write(final Cursor c) throws IOException {
            final Frame f = c.frame;
            final long key = ((long) c.number << SOURCE_SHIFT) | ((long) f.section() << SECTION_SHIFT) | f.interfaceId();
            Integer id = interfaces.get(key);
            if (id == null) {
                id = interfaces.size();
                interfaces.put(key, id);
                final String description = c.source.capture().getFileName() + " interface " + f.interfaceId()
                    + (f.section() > 0 ? " of section " + f.section() : "");
                out.write(PcapngEncoder.interfaceDescription(f.linkType(), PcapngEncoder.NO_SNAPLEN, description, true));
            }
            encoder.writeEnhancedPacket(id, f.timestampNanos(), f, out);
        }
    }
}
