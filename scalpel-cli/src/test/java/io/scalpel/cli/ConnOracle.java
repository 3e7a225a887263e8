package io.scalpel.cli;

import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test's own answer to "which frames belong to this conn.log row": a conn.log read with a
 * split on tabs and a tiny Ethernet/VLAN/IPv4/IPv6/TCP/UDP/ICMP decoder, written for the tests
 * and sharing nothing with scalpel's decoder. A frame belongs to a row when its 5-tuple matches
 * in either direction and its time lies in [ts - 5 µs, ts + duration + 5 µs]; a trailing IP
 * fragment takes the 5-tuple of its datagram's first fragment.
 */
final class ConnOracle {
    static final long SLACK_NANOS = 5_000;
    private static final int ETHERNET_HEADER_LENGTH = 14;
    private static final int VLAN_TAG_LENGTH = 4;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int ICMP = 1;
    private static final int ICMPV6 = 58;
    private static final int IPV6_HEADER_LENGTH = 40;
    private static final int IPV6_FRAGMENT = 44;
    private static final Map<Integer, Integer> ICMP_COUNTERPART = Map.of(8, 0, 0, 8, 13, 14, 14, 13, 15, 16, 16, 15,
        10, 9, 9, 10, 17, 18, 18, 17);
    private static final Map<Integer, Integer> ICMPV6_COUNTERPART = Map.ofEntries(Map.entry(128, 129), Map.entry(129, 128),
        Map.entry(130, 131), Map.entry(131, 130), Map.entry(133, 134), Map.entry(134, 133), Map.entry(135, 136),
        Map.entry(136, 135), Map.entry(139, 140), Map.entry(140, 139), Map.entry(144, 145), Map.entry(145, 144));

    /** A conn.log row as the oracle needs it. */
    record Conn(String uid, long tsNanos, long durationNanos, int protocol, String orig, int origPort, String resp,
                int respPort, long origPkts, long respPkts) {
        long zeekPackets() {
            return origPkts + respPkts;
        }
    }

    /** What belongs to a row: frames in the capture, and datagrams (a fragmented datagram once, as Zeek counts). */
    record Expected(long frames, long datagrams, List<Long> offsets) {
    }

    private record Packet(long tsNanos, String src, String dst, int protocol, int srcPort, int dstPort,
                          boolean trailingFragment, String fragmentKey, long offset) {
    }

    private ConnOracle() {
    }

    /** Reads a Zeek TSV conn.log: #fields names the columns. */
    static List<Conn> readConnLog(final Path log) throws IOException {
        List<String> fields = null;
        final List<Conn> rows = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("#fields\t")) {
                fields = Arrays.asList(line.substring("#fields\t".length()).split("\t"));
                continue;
            }
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            final String[] f = line.split("\t", -1);
            final List<String> names = fields;
            final java.util.function.Function<String, String> col = n -> f[names.indexOf(n)];
            final String orig = normal(col.apply("id.orig_h"));
            final String proto = col.apply("proto");
            final boolean v6 = orig.contains(":");
            final int protocol = switch (proto) {
                case "tcp" -> TCP;
                case "udp" -> UDP;
                case "icmp" -> v6 ? ICMPV6 : ICMP;
                default -> throw new IllegalArgumentException("oracle knows no proto " + proto);
            };
            final String duration = col.apply("duration");
            rows.add(new Conn(col.apply("uid"), nanos(col.apply("ts")), "-".equals(duration) ? 0 : nanos(duration), protocol,
                orig, Integer.parseInt(col.apply("id.orig_p")), normal(col.apply("id.resp_h")),
                Integer.parseInt(col.apply("id.resp_p")), Long.parseLong(col.apply("orig_pkts")),
                Long.parseLong(col.apply("resp_pkts"))));
        }
        return rows;
    }

    /** For each row, what the capture (Ethernet link type) holds of it. */
    static Map<String, Expected> expected(final PcapFile capture, final List<Conn> rows) {
        if (capture.linkType != 1) {
            throw new IllegalArgumentException("oracle decodes Ethernet only, not link type " + capture.linkType);
        }
        final List<Packet> packets = new ArrayList<>();
        final Map<String, int[]> firstFragmentPorts = new HashMap<>();
        for (PcapFile.Record r : capture.records) {
            final Packet p = decode(capture.data(r), r.tsNanos(), r.offset());
            if (p != null) {
                packets.add(p);
                if (p.fragmentKey != null && !p.trailingFragment) {
                    firstFragmentPorts.put(p.fragmentKey, new int[] {p.srcPort, p.dstPort});
                }
            }
        }
        final Map<String, Expected> out = new LinkedHashMap<>();
        for (Conn c : rows) {
            long frames = 0;
            long datagrams = 0;
            final List<Long> offsets = new ArrayList<>();
            for (Packet p : packets) {
                if (p.tsNanos < c.tsNanos - SLACK_NANOS || p.tsNanos > c.tsNanos + c.durationNanos + SLACK_NANOS
                    || p.protocol != c.protocol) {
                    continue;
                }
                int sp = p.srcPort;
                int dp = p.dstPort;
                if (p.trailingFragment) {
                    final int[] ports = firstFragmentPorts.get(p.fragmentKey);
                    if (ports == null) {
                        continue;
                    }
                    sp = ports[0];
                    dp = ports[1];
                }
                final boolean forward = p.src.equals(c.orig) && p.dst.equals(c.resp) && sp == c.origPort && dp == c.respPort;
                final boolean backward = p.src.equals(c.resp) && p.dst.equals(c.orig) && sp == c.respPort && dp == c.origPort;
                if (forward || backward) {
                    frames++;
                    offsets.add(p.offset);
                    if (!p.trailingFragment) {
                        datagrams++;
                    }
                }
            }
            out.put(c.uid, new Expected(frames, datagrams, offsets));
        }
        return out;
    }

    private static Packet decode(final ByteBuffer b, final long ts, final long offset) {
        int pos = ETHERNET_HEADER_LENGTH;
        if (b.limit() < pos) {
            return null;
        }
        int etherType = b.getShort(12) & 0xFFFF;
        while (etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100) {
            etherType = b.getShort(pos + 2) & 0xFFFF;
            pos += VLAN_TAG_LENGTH;
        }
        final byte[] src;
        final byte[] dst;
        int protocol;
        boolean trailing = false;
        String fragmentKey = null;
        if (etherType == ETHERTYPE_IPV4) {
            final int ihl = (b.get(pos) & 0x0F) * 4;
            protocol = b.get(pos + 9) & 0xFF;
            src = bytes(b, pos + 12, 4);
            dst = bytes(b, pos + 16, 4);
            final int flagsOffset = b.getShort(pos + 6) & 0xFFFF;
            final boolean more = (flagsOffset & 0x2000) != 0;
            final int fragOffset = flagsOffset & 0x1FFF;
            if (more || fragOffset != 0) {
                fragmentKey = "4|" + Arrays.toString(src) + Arrays.toString(dst) + protocol + "|" + (b.getShort(pos + 4) & 0xFFFF);
                trailing = fragOffset != 0;
            }
            pos += ihl;
        } else if (etherType == ETHERTYPE_IPV6) {
            protocol = b.get(pos + 6) & 0xFF;
            src = bytes(b, pos + 8, 16);
            dst = bytes(b, pos + 24, 16);
            pos += IPV6_HEADER_LENGTH;
            while (protocol == 0 || protocol == 43 || protocol == 60 || protocol == IPV6_FRAGMENT) {
                final int next = b.get(pos) & 0xFF;
                if (protocol == IPV6_FRAGMENT) {
                    final int fragOffset = (b.getShort(pos + 2) & 0xFFF8) >> 3;
                    final boolean more = (b.getShort(pos + 2) & 1) != 0;
                    fragmentKey = "6|" + Arrays.toString(src) + Arrays.toString(dst) + next + "|" + b.getInt(pos + 4);
                    trailing = fragOffset != 0;
                    if (!more && fragOffset == 0) {
                        fragmentKey = null;
                    }
                    pos += 8;
                } else {
                    pos += ((b.get(pos + 1) & 0xFF) + 1) * 8;
                }
                protocol = next;
            }
        } else {
            return null;
        }
        int sp = 0;
        int dp = 0;
        if (!trailing) {
            if (protocol == TCP || protocol == UDP) {
                sp = b.getShort(pos) & 0xFFFF;
                dp = b.getShort(pos + 2) & 0xFFFF;
            } else if (protocol == ICMP || protocol == ICMPV6) {
                final int type = b.get(pos) & 0xFF;
                final int code = b.get(pos + 1) & 0xFF;
                sp = type;
                dp = (protocol == ICMP ? ICMP_COUNTERPART : ICMPV6_COUNTERPART).getOrDefault(type, code);
            }
        }
        return new Packet(ts, address(src), address(dst), protocol, sp, dp, trailing, fragmentKey, offset);
    }

    private static byte[] bytes(final ByteBuffer b, final int at, final int n) {
        final byte[] out = new byte[n];
        b.get(at, out);
        return out;
    }

    private static String address(final byte[] raw) {
        try {
            return InetAddress.getByAddress(raw).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String normal(final String text) {
        try {
            return InetAddress.getByName(text).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static long nanos(final String seconds) {
        return new BigDecimal(seconds).movePointRight(9).longValueExact();
    }
}
