package io.scalpel.bench;

import io.scalpel.testing.ExternalTools;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every frame of a capture as tcpdump reads it ({@code tcpdump -tt -n -e -r}): timestamp, VLAN
 * tags, protocol, endpoints and TCP flags, parsed from tcpdump's text. The oracle of the
 * generator tests: libpcap's reading, not ours.
 */
final class TcpdumpFrames {
    private static final Pattern LINE = Pattern.compile("^(\\d+)\\.(\\d{6}) \\S+ > \\S+, ethertype [^,]+, length (\\d+): (.*)$");
    private static final Pattern VLAN = Pattern.compile("^vlan (\\d+), p \\d+, ethertype [^,]+, (.*)$");
    private static final Pattern ENDPOINTS = Pattern.compile("^(?:IP6? )?(\\S+) > (\\S+): (.*)$");
    private static final Pattern TCP_FLAGS = Pattern.compile("^Flags \\[([^\\]]*)\\]");

    /**
     * One frame: {@code sport}/{@code dport} are -1 for ICMP; {@code flags} is tcpdump's TCP flags
     * text ({@code S}, {@code S.}, {@code .}, {@code P.}, {@code F.}, {@code R}, {@code R.}) or "".
     */
    record Frame(long tsMicros, int length, int outerVlan, int innerVlan, String proto, String src, int sport, String dst,
                 int dport, String flags) {

        /** The connection key, the same in both directions. */
        String key() {
            final String a = src + "/" + sport;
            final String b = dst + "/" + dport;
            return proto + " " + (a.compareTo(b) < 0 ? a + " " + b : b + " " + a);
        }

        boolean closes() {
            return flags.contains("F") || flags.contains("R");
        }
    }

    private TcpdumpFrames() {
    }

    /** Every frame of {@code capture}, in file order. */
    static List<Frame> read(final Path capture) throws IOException, InterruptedException {
        final String text = ExternalTools.run(List.of("tcpdump", "-tt", "-n", "-e", "-r", capture.toString()));
        final List<Frame> frames = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                frames.add(parse(line));
            }
        }
        return frames;
    }

    /** The key of a conn.log row's connection, as {@link Frame#key()} makes it. */
    static String key(final String proto, final byte[] orig, final int origPort, final byte[] resp, final int respPort) {
        final boolean icmp = "icmp".equals(proto);
        final String a = hex(orig) + "/" + (icmp ? -1 : origPort);
        final String b = hex(resp) + "/" + (icmp ? -1 : respPort);
        return proto + " " + (a.compareTo(b) < 0 ? a + " " + b : b + " " + a);
    }

    static Frame parse(final String line) {
        final Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            throw new AssertionError("not a tcpdump -e line: " + line);
        }
        final long ts = Long.parseLong(m.group(1)) * 1_000_000 + Long.parseLong(m.group(2));
        String rest = m.group(4);
        int outer = -1;
        int inner = -1;
        for (Matcher v = VLAN.matcher(rest); v.matches(); v = VLAN.matcher(rest)) {
            if (outer < 0) {
                outer = Integer.parseInt(v.group(1));
            } else {
                inner = Integer.parseInt(v.group(1));
            }
            rest = v.group(2);
        }
        final Matcher e = ENDPOINTS.matcher(rest);
        if (!e.matches()) {
            throw new AssertionError("no endpoints in: " + line);
        }
        final String detail = e.group(3);
        if (detail.startsWith("ICMP")) {
            return new Frame(ts, Integer.parseInt(m.group(3)), outer, inner, "icmp", address(e.group(1)), -1, address(e.group(2)), -1, "");
        }
        final Matcher flags = TCP_FLAGS.matcher(detail);
        final String proto = flags.find() ? "tcp" : "udp";
        final String src = e.group(1);
        final String dst = e.group(2);
        final int srcDot = src.lastIndexOf('.');
        final int dstDot = dst.lastIndexOf('.');
        return new Frame(ts, Integer.parseInt(m.group(3)), outer, inner, proto, address(src.substring(0, srcDot)),
            Integer.parseInt(src.substring(srcDot + 1)), address(dst.substring(0, dstDot)), Integer.parseInt(dst.substring(dstDot + 1)),
            "tcp".equals(proto) ? flags.group(1) : "");
    }

    /** An address literal as hex of its bytes, whatever its text form. */
    private static String address(final String literal) {
        try {
            return hex(InetAddress.getByName(literal).getAddress());
        } catch (IOException ex) {
            throw new AssertionError("not an address literal: " + literal, ex);
        }
    }

    private static String hex(final byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
