package io.scalpel.serve;

import io.scalpel.capture.PcapngBlock;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Several captures' extracts of one request as one pcap, their records in time order (a tie keeps
 * the captures' order): what a connection seen by several sensors, or a capture set and a file,
 * gives when no {@code capture=} names one. The extracts must agree on what a pcap header says
 * once for the whole file: byte order, timestamp unit (µs or ns) and link type; the snap length is
 * the largest ({@link #mergeable}). Others are merged into a pcapng ({@link PcapngMerge}), unless
 * the request asked for pcap: then they are refused with a 409 that says which captures and what
 * differs, so that the client asks for one capture at a time.
 */
final class PcapMerge {
    private static final int HEADER = 24;
    private static final int RECORD_HEADER = 16;
    private static final int MAGIC_MICROS = 0xA1B2C3D4;
    private static final int MAGIC_NANOS = 0xA1B23C4D;

    /** One capture's extract: its name (for messages) and its bytes. */
    record Extract(String capture, byte[] bytes) {
    }

    private PcapMerge() {
    }

    /** Whether {@code extracts} are pcap files of one byte order, timestamp unit and link type: one pcap. */
    static boolean mergeable(final List<Extract> extracts) {
        ByteBuffer first = null;
        for (Extract e : extracts) {
            final ByteBuffer b = ByteBuffer.wrap(e.bytes());
            if (b.limit() < HEADER || b.order(ByteOrder.BIG_ENDIAN).getInt(0) == PcapngBlock.SECTION_HEADER) {
                return false;
            }
            final ByteBuffer h = header(e);
            if (first != null && !sameKind(first, h)) {
                return false;
            }
            first = h;
        }
        return true;
    }

    /** Whether two pcap headers (from {@link #header}) have one byte order, timestamp unit (magic) and link type. */
    private static boolean sameKind(final ByteBuffer a, final ByteBuffer b) {
        return a.order() == b.order() && a.getInt(0) == b.getInt(0) && a.getInt(20) == b.getInt(20);
    }

    /** Whether a pcap file (its bytes from {@link #header}) has nanosecond timestamps. */
    static boolean nanoseconds(final ByteBuffer pcap) {
        return pcap.getInt(0) == MAGIC_NANOS;
    }

    /**
     * Writes {@code extracts} (two or more, each with records) merged into one pcap to {@code out}.
     *
     * @throws ApiError 409 when they are not pcap files of one byte order, timestamp unit and link type
     */
    static void write(final List<Extract> extracts, final OutputStream out) throws IOException {
        final List<ByteBuffer> files = new ArrayList<>();
        int snaplen = 0;
        for (Extract e : extracts) {
            final ByteBuffer b = header(e);
            final ByteBuffer first = files.isEmpty() ? null : files.get(0);
            if (first != null && !sameKind(first, b)) {
                throw new ApiError(409, "the packets are in several captures whose extracts cannot be one pcap: " + extracts.get(0).capture()
                    + " " + describe(first) + ", " + e.capture() + " " + describe(b) + "; name one with capture=");
            }
            snaplen = Math.max(snaplen, b.getInt(16));
            files.add(b);
        }
        final ByteBuffer head = ByteBuffer.allocate(HEADER).order(files.get(0).order());
        head.put(files.get(0).duplicate().position(0).limit(HEADER)).putInt(16, snaplen);
        out.write(head.array());
        final int[] at = new int[files.size()];
        java.util.Arrays.fill(at, HEADER);
        while (true) {
            int next = -1;
            for (int i = 0; i < files.size(); i++) {
                if (at[i] + RECORD_HEADER <= files.get(i).limit() && (next < 0 || earlier(files.get(i), at[i], files.get(next), at[next]))) {
                    next = i;
                }
            }
            if (next < 0) {
                return;
            }
            final ByteBuffer f = files.get(next);
            final int length = RECORD_HEADER + f.getInt(at[next] + 8);
            out.write(f.array(), at[next], Math.min(length, f.limit() - at[next]));
            at[next] += length;
        }
    }

    private static boolean earlier(final ByteBuffer a, final int at, final ByteBuffer b, final int bt) {
        final long sa = Integer.toUnsignedLong(a.getInt(at));
        final long sb = Integer.toUnsignedLong(b.getInt(bt));
        return sa < sb || (sa == sb && Integer.toUnsignedLong(a.getInt(at + 4)) < Integer.toUnsignedLong(b.getInt(bt + 4)));
    }

    /**
     * The extract's bytes in its byte order, checked to be a pcap file.
     *
     * @throws ApiError 409 when it is not
     */
    static ByteBuffer header(final Extract e) {
        final ByteBuffer b = ByteBuffer.wrap(e.bytes());
        if (b.limit() < HEADER) {
            throw new ApiError(409, "the packets are in several captures, and the extract of " + e.capture() + " is not a pcap file;"
                + " name one with capture=");
        }
        final int magic = b.order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (magic == MAGIC_MICROS || magic == MAGIC_NANOS) {
            return b;
        }
        final int swapped = Integer.reverseBytes(magic);
        if (swapped == MAGIC_MICROS || swapped == MAGIC_NANOS) {
            return b.order(ByteOrder.LITTLE_ENDIAN);
        }
        throw new ApiError(409, "the packets are in several captures, and the extract of " + e.capture() + " is pcapng, which is"
            + " not merged; ask for format=pcap, or name one with capture=");
    }

    private static String describe(final ByteBuffer b) {
        final int magic = b.getInt(0);
        return "(link type " + b.getInt(20) + ", " + (magic == MAGIC_NANOS ? "ns" : "µs") + ", "
            + (b.order() == ByteOrder.BIG_ENDIAN ? "big" : "little") + "-endian)";
    }
}
