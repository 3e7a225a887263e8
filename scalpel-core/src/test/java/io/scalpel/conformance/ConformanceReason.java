package io.scalpel.conformance;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The closed list of reasons a row is not judged or differs from Zeek's count. A reason that
 * explains a difference is mechanical: it computes, from the extract of the row (or of the group
 * of rows judged together) as tshark decodes it, the difference the rule makes (frames minus
 * Zeek's packets: the frames Zeek discards by that rule, or minus the packets Zeek finds beyond
 * one in a frame); the test asserts it is the difference.
 */
enum ConformanceReason {
    /** An exact row. */
    NONE("-", false, null),
    /** The baseline is a zeek-cut subset without the connection's proto and endpoints: the reader refuses it. */
    NO_FIVE_TUPLE("no-five-tuple", false, null),
    /** The baseline is a zeek-cut subset without orig_pkts/resp_pkts: nothing to compare with. */
    NO_PACKET_COUNTS("no-packet-counts", false, null),
    /**
     * Zeek reassembles IP fragments and counts a datagram once, when it is complete (an
     * incomplete one, never); the extract carries every fragment. Check: fragment frames minus
     * the complete datagrams among them (a first and a last fragment present).
     */
    FRAGMENTS_COUNTED_ONCE("fragments-counted-once", true, frames -> {
        final Map<String, boolean[]> datagrams = new HashMap<>();
        long fragments = 0;
        for (TsharkFrame f : frames) {
            if (f.isFragment()) {
                fragments++;
                final boolean[] firstAndLast = datagrams.computeIfAbsent(f.datagramId(), k -> new boolean[2]);
                firstAndLast[0] |= f.isFirstFragment();
                firstAndLast[1] |= f.isLastFragment();
            }
        }
        return fragments - datagrams.values().stream().filter(d -> d[0] && d[1]).count();
    }),
    /**
     * Zeek discards a packet whose IP, TCP or UDP checksum is wrong (unless told to ignore
     * checksums). Check: frames tshark finds a bad checksum in, at any layer.
     */
    BAD_CHECKSUM("bad-checksum", true, frames -> frames.stream().filter(TsharkFrame::badChecksum).count()),
    /**
     * Zeek counts no packet whose capture stops inside its IP datagram's headers (the snaplen
     * cut it); the extract carries the frame. Check: frames with a captured length below the
     * wire length.
     */
    CUT_BY_SNAPLEN("cut-by-snaplen", true, frames -> frames.stream().filter(TsharkFrame::cutBySnaplen).count()),
    /**
     * One frame carries several packets (an 802.11 A-MSDU aggregate: Zeek counts every
     * subframe's packet). Check: the transport headers tshark finds in a frame beyond the first,
     * summed, are the packets Zeek counted beyond the frames.
     */
    AGGREGATED_FRAME("aggregated-frame", true, frames -> -frames.stream().mapToLong(f -> Math.max(0, f.transportHeaders() - 1)).sum()),
    /** A difference nobody explained yet: always fails. */
    UNEXPLAINED("unexplained", false, null);

    private final String code;
    private final boolean mechanical;
    private final ToLongFunction<List<TsharkFrame>> discarded;

    ConformanceReason(final String code, final boolean mechanical, final ToLongFunction<List<TsharkFrame>> discarded) {
        this.code = code;
        this.mechanical = mechanical;
        this.discarded = discarded;
    }

    String code() { return code; }
    boolean mechanical() { return mechanical; }

    /**
     * Whether this reason may explain a difference: only a rule checked on the extract does (the
     * not-judged reasons, NONE and UNEXPLAINED do not).
     */
    boolean explainsDifference() {
        return mechanical;
    }

    /** The difference (scalpel's frames minus Zeek's packets) this rule makes in {@code frames}. */
    long expectedDifference(final List<TsharkFrame> frames) {
        return discarded.applyAsLong(frames);
    }

    static ConformanceReason ofCode(final String code, final String where) throws IOException {
        for (ConformanceReason r : values()) {
            if (r.code.equals(code)) {
                return r;
            }
        }
        throw new IOException(where + ": '" + code + "' is not a reason of the closed list");
    }
}
