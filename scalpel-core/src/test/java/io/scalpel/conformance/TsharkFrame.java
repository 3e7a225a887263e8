package io.scalpel.conformance;

import io.scalpel.testing.ExternalTools;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What tshark says of one frame, with checksum validation on: the facts the mechanical reasons
 * of {@link ConformanceReason} count, and the conversation tshark puts the frame in (its TCP and
 * UDP stream numbers and its VLAN ids), which tells apart rows that share a key. Multi-valued
 * fields (one value per IP layer of a tunnelled frame) are kept whole; fragment facts are taken
 * from the innermost layer.
 */
record TsharkFrame(long capLen, long len, String checksumStatuses, String ipMoreFragments, String ipFragmentOffset,
                   String ipId, String ipSrc, String ipDst, String ipv6FragmentId, String ipv6FragmentOffset,
                   String ipv6MoreFragments, int transportHeaders, String conversation, String vlanIds, long tsNanos) {
    private static final List<String> FIELDS = List.of("frame.cap_len", "frame.len", "ip.checksum.status",
        "tcp.checksum.status", "udp.checksum.status", "ip.flags.mf", "ip.frag_offset", "ip.id", "ip.src", "ip.dst",
        "ipv6.fraghdr.ident", "ipv6.fraghdr.offset", "ipv6.fraghdr.more", "tcp.srcport", "udp.srcport",
        "tcp.stream", "udp.stream", "vlan.id", "frame.time_epoch");
    /** tshark's value of a checksum status field for a checksum it found wrong. */
    private static final String STATUS_BAD = "0";

    static List<TsharkFrame> read(final Path capture) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString(),
            "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"));
        for (String field : FIELDS) {
            command.add("-e");
            command.add(field);
        }
        final List<TsharkFrame> frames = new ArrayList<>();
        for (String line : ExternalTools.run(command).split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            final String[] f = line.split("\t", -1);
            if (f.length != FIELDS.size()) {
                throw new IOException("tshark printed " + f.length + " fields, expected " + FIELDS.size() + ": " + line);
            }
            // IPv4 fragment facts from the layer that is fragmented (a tunnel's outer datagram, or the
            // innermost); IPv6 fragment headers from the innermost.
            final int layer = fragmentedLayer(f[5].split(",", -1), f[6].split(",", -1));
            frames.add(new TsharkFrame(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2] + "," + f[3] + "," + f[4],
                at(f[5], layer), at(f[6], layer), at(f[7], layer), at(f[8], layer), at(f[9], layer), last(f[10]), last(f[11]), last(f[12]),
                count(f[13]) + count(f[14]), "tcp " + f[15] + " udp " + f[16] + " vlan " + f[17], f[17],
                new BigDecimal(f[18]).movePointRight(9).longValueExact()));
        }
        return frames;
    }

    /** The first IP layer with more fragments or a fragment offset, else the innermost (-1). */
    private static int fragmentedLayer(final String[] moreFragments, final String[] offsets) {
        for (int i = 0; i < moreFragments.length; i++) {
            final boolean more = "1".equals(moreFragments[i]) || "True".equalsIgnoreCase(moreFragments[i]);
            final boolean offset = i < offsets.length && !offsets[i].isEmpty() && !"0".equals(offsets[i]);
            if (more || offset) {
                return i;
            }
        }
        return -1;
    }

    /** The value of layer {@code i} of a multi-valued field, or the last one for {@code i} -1. */
    private static String at(final String values, final int i) {
        if (i < 0) {
            return last(values);
        }
        final String[] v = values.split(",", -1);
        return i < v.length ? v[i] : "";
    }

    private static String last(final String values) {
        final int comma = values.lastIndexOf(',');
        return comma < 0 ? values : values.substring(comma + 1);
    }

    private static int count(final String values) {
        return values.isEmpty() ? 0 : values.split(",").length;
    }

    boolean badChecksum() {
        for (String status : checksumStatuses.split(",")) {
            if (STATUS_BAD.equals(status)) {
                return true;
            }
        }
        return false;
    }

    boolean cutBySnaplen() { return capLen < len; }

    /** The frame's outer and inner VLAN ids, -1 where there is none. */
    int[] vlanTags() {
        final String[] ids = vlanIds.isEmpty() ? new String[0] : vlanIds.split(",");
        return new int[] {ids.length > 0 ? Integer.parseInt(ids[0]) : -1, ids.length > 1 ? Integer.parseInt(ids[1]) : -1};
    }

    boolean isFragment() {
        final boolean v4 = "1".equals(ipMoreFragments) || "True".equalsIgnoreCase(ipMoreFragments)
            || (!ipFragmentOffset.isEmpty() && !"0".equals(ipFragmentOffset));
        final boolean v6 = !ipv6FragmentId.isEmpty();
        return v4 || v6;
    }

    boolean isFirstFragment() {
        return ipv6FragmentId.isEmpty() ? "0".equals(ipFragmentOffset) || ipFragmentOffset.isEmpty() : "0".equals(ipv6FragmentOffset);
    }

    boolean isLastFragment() {
        return ipv6FragmentId.isEmpty()
            ? !("1".equals(ipMoreFragments) || "True".equalsIgnoreCase(ipMoreFragments))
            : !("1".equals(ipv6MoreFragments) || "True".equalsIgnoreCase(ipv6MoreFragments));
    }

    String datagramId() {
        return ipv6FragmentId.isEmpty() ? ipSrc + ">" + ipDst + "#" + ipId : "v6#" + ipv6FragmentId;
    }
}
