package io.scalpel.testdata;

import io.scalpel.testing.ExternalTools;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.UdpPacket;
import org.pcap4j.packet.factory.PacketFactories;
import org.pcap4j.packet.namednumber.DataLinkType;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generator's truth checked against readers it did not write: libpcap (through tcpdump's
 * text output and through pcap4j/JNA) and, where libpcap cannot read a file, Wireshark's tshark.
 * Compared: the frame count, and for every frame its timestamp, captured length, addresses,
 * TCP/UDP ports and VLAN ids.
 *
 * <p>libpcap's pcapng reader refuses a section whose interfaces have different link types and
 * files whose sections change byte order, so the mixed pcapng is checked with tshark instead.
 */
@Tag("external")
class GeneratorLibpcapCrossCheckTest {
    private static final Pattern TCPDUMP_HEADER = Pattern.compile("^\\s*(\\d+)\\s+(\\d+)\\.(\\d{9}) (.*)$");
    private static final Pattern ADDRESSES = Pattern.compile("(?:^|\\s)([0-9a-fA-F:.]+) > ([0-9a-fA-F:.]+): (.*)$");
    private static final Pattern LATER_PORTS = Pattern.compile("(?:^|\\s)(\\d+) > (\\d+): ");
    private static final Pattern VLAN = Pattern.compile("vlan (\\d+), p \\d");

    @TempDir
    Path dir;

    static Stream<GeneratorSpec> libpcapReadable() {
        final List<GeneratorSpec> specs = new ArrayList<>(List.of(
            GeneratorSpec.everything(31),
            GeneratorSpec.everything(32).withFormat(CaptureFileFormat.PCAP_NSEC_BE),
            GeneratorSpec.everything(33).withFormat(CaptureFileFormat.PCAPNG_LE),
            GeneratorSpec.everything(34).withFormat(CaptureFileFormat.PCAPNG_BE).withTruncate(false)
                .withLinkType(LinkFrames.LINKTYPE_LINUX_SLL2),
            GeneratorSpec.defaults(35).withFormat(CaptureFileFormat.PCAP_USEC_BE).withLinkType(LinkFrames.LINKTYPE_NULL)
                .withFragments(true).withOtherProtocols(true)));
        for (final int linkType : new int[] {0, 1, 10, 101, 108, 113, 228, 229, 276}) {
            specs.add(GeneratorSpec.everything(40 + linkType).withLinkType(linkType).withConnections(12)
                .withFormat(linkType % 2 == 0 ? CaptureFileFormat.PCAP_NSEC_LE : CaptureFileFormat.PCAP_USEC_LE));
        }
        return specs.stream();
    }

    private Generated generate(final GeneratorSpec spec, final Path capture) throws IOException {
        return CaptureGenerator.generate(spec, capture, null);
    }

    @ParameterizedTest
    @MethodSource("libpcapReadable")
    void shouldAgreeWithTcpdump(final GeneratorSpec spec) throws Exception {
        ExternalTools.require(ExternalTools.TCPDUMP);
        final Path capture = dir.resolve("c." + spec.format().extension());
        final Generated g = generate(spec, capture);
        final String out = ExternalTools.run(List.of("tcpdump", "-nn", "-tt", "-#", "-e", "-xx",
            "--time-stamp-precision=nano", "-r", capture.toString()));
        final List<String> headers = new ArrayList<>();
        final List<Integer> caplens = new ArrayList<>();
        for (final String line : out.split("\n")) {
            if (line.startsWith("\t0x")) {
                final String hex = line.substring(line.indexOf(':') + 1).replace(" ", "");
                caplens.set(caplens.size() - 1, caplens.get(caplens.size() - 1) + hex.length() / 2);
            } else if (!line.isBlank()) {
                headers.add(line);
                caplens.add(0);
            }
        }
        assertEquals(g.frames().size(), headers.size(), "frame count");
        for (final TruthFrame f : g.frames()) {
            final String line = headers.get(f.number() - 1);
            final Matcher header = TCPDUMP_HEADER.matcher(line);
            assertTrue(header.matches(), line);
            assertEquals(f.number(), Integer.parseInt(header.group(1)));
            final String where = "frame " + f.number() + ": " + line;
            if (f.hasTimestamp()) {
                assertEquals(f.tsNanos(), Long.parseLong(header.group(2)) * 1_000_000_000L
                    + Long.parseLong(header.group(3)), "ts of " + where);
            }
            assertEquals(f.capturedLength(), (int) caplens.get(f.number() - 1), "caplen of " + where);
            final String text = header.group(4);
            if (f.proto().equals("arp")) {
                assertTrue(text.contains("ARP"), where);
                continue;
            }
            if (f.proto().equals("lldp")) {
                assertTrue(text.contains("LLDP"), where);
                continue;
            }
            final Matcher addresses = ADDRESSES.matcher(text);
            assertTrue(addresses.find(), "addresses in " + where);
            final String[] src = addressAndPort(addresses.group(1));
            final String[] dst = addressAndPort(addresses.group(2));
            assertEquals(f.srcAddr(), src[0], "source of " + where);
            assertEquals(f.dstAddr(), dst[0], "destination of " + where);
            if ((f.proto().equals("tcp") || f.proto().equals("udp")) && !f.isFragment()) {
                String srcPort = src[1];
                String dstPort = dst[1];
                if (srcPort == null) { // IPv6 extension headers come between the addresses and the ports
                    final Matcher ports = LATER_PORTS.matcher(addresses.group(3));
                    assertTrue(ports.find(), "ports in " + where);
                    srcPort = ports.group(1);
                    dstPort = ports.group(2);
                }
                assertEquals(f.srcPort(), Integer.parseInt(srcPort), "source port of " + where);
                assertEquals(f.dstPort(), Integer.parseInt(dstPort), "destination port of " + where);
            }
            if (f.linkType() == LinkFrames.LINKTYPE_ETHERNET) {
                final Matcher vlan = VLAN.matcher(text);
                final int outer = vlan.find() ? Integer.parseInt(vlan.group(1)) : -1;
                int inner = -1; // Zeek's inner_vlan: the last tag after the first
                while (outer >= 0 && vlan.find()) {
                    inner = Integer.parseInt(vlan.group(1));
                }
                assertEquals(f.outerVlan(), outer, "vlan of " + where);
                assertEquals(f.innerVlan(), inner, "inner vlan of " + where);
            }
        }
    }

    /** tcpdump's "10.0.0.1.80" / "2001:db8::1.80" / "10.0.0.1": address and port (or null). */
    private static String[] addressAndPort(final String token) {
        if (token.contains(":")) {
            final int dot = token.lastIndexOf('.');
            return dot > token.lastIndexOf(':') ? new String[] {token.substring(0, dot), token.substring(dot + 1)}
                : new String[] {token, null};
        }
        final String[] parts = token.split("\\.");
        return parts.length == 5 ? new String[] {String.join(".", List.of(parts).subList(0, 4)), parts[4]}
            : new String[] {token, null};
    }

    @ParameterizedTest
    @MethodSource("libpcapReadable")
    void shouldAgreeWithPcap4j(final GeneratorSpec spec) throws Exception {
        ExternalTools.require(ExternalTools.LIBPCAP);
        final Path capture = dir.resolve("c." + spec.format().extension());
        final Generated g = generate(spec, capture);
        int decodedIp = 0;
        int ipFrames = 0;
        final PcapHandle handle = Pcaps.openOffline(capture.toString(), PcapHandle.TimestampPrecision.NANO);
        try {
            for (final TruthFrame f : g.frames()) {
                final byte[] raw = handle.getNextRawPacketEx();
                final String where = "frame " + f.number();
                if (f.hasTimestamp()) {
                    final Timestamp ts = handle.getTimestamp();
                    assertEquals(f.tsNanos(), Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos(),
                        "ts of " + where);
                }
                assertEquals(f.capturedLength(), raw.length, "caplen of " + where);
                assertEquals(f.originalLength(), (int) handle.getOriginalLength(), "origlen of " + where);
                if (f.ipProto() < 0) {
                    continue;
                }
                ipFrames++;
                final Packet packet = PacketFactories.getFactory(Packet.class, DataLinkType.class)
                    .newInstance(raw, 0, raw.length, handle.getDlt());
                final IpV4Packet v4 = packet.get(IpV4Packet.class);
                final IpV6Packet v6 = packet.get(IpV6Packet.class);
                if (v4 == null && v6 == null) {
                    continue; // a link or tag pcap4j does not decode (FDDI SNAP, 802.1ad, SLL2, ...)
                }
                decodedIp++;
                final InetAddress src = v4 != null ? v4.getHeader().getSrcAddr() : v6.getHeader().getSrcAddr();
                final InetAddress dst = v4 != null ? v4.getHeader().getDstAddr() : v6.getHeader().getDstAddr();
                assertEquals(InetAddress.getByName(f.srcAddr()), src, "source of " + where);
                assertEquals(InetAddress.getByName(f.dstAddr()), dst, "destination of " + where);
                // get() finds the first header of a type: an ICMP error's quoted UDP header must not count.
                final TcpPacket tcp = f.proto().equals("tcp") ? packet.get(TcpPacket.class) : null;
                final UdpPacket udp = f.proto().equals("udp") ? packet.get(UdpPacket.class) : null;
                if (tcp != null && !f.isFragment()) {
                    assertEquals(f.srcPort(), tcp.getHeader().getSrcPort().valueAsInt(), "source port of " + where);
                    assertEquals(f.dstPort(), tcp.getHeader().getDstPort().valueAsInt(), "destination port of " + where);
                }
                if (udp != null && !f.isFragment()) {
                    assertEquals(f.srcPort(), udp.getHeader().getSrcPort().valueAsInt(), "source port of " + where);
                    assertEquals(f.dstPort(), udp.getHeader().getDstPort().valueAsInt(), "destination port of " + where);
                }
            }
            assertThrows(EOFException.class, handle::getNextRawPacketEx, "no frame beyond the truth");
        } finally {
            handle.close();
        }
        if (spec.linkType() == LinkFrames.LINKTYPE_ETHERNET || spec.linkType() == LinkFrames.LINKTYPE_LINUX_SLL) {
            assertTrue(decodedIp > ipFrames / 2, "pcap4j decoded " + decodedIp + " of " + ipFrames + " IP frames");
        }
    }

    /**
     * Files libpcap 1.10 refuses: interfaces of different link types, sections of both byte
     * orders, and (a libpcap quirk) several interfaces of LINKTYPE_RAW 101, whose first one it
     * maps to DLT_RAW 12 and then compares with the raw 101 of the next.
     */
    static Stream<GeneratorSpec> libpcapUnreadable() {
        return Stream.of(
            GeneratorSpec.everything(50).withFormat(CaptureFileFormat.PCAPNG_MIXED_ENDIAN)
                .withLinkType(GeneratorSpec.MIXED_LINK_TYPES).withConnections(50),
            GeneratorSpec.everything(51).withFormat(CaptureFileFormat.PCAPNG_LE)
                .withLinkType(GeneratorSpec.MIXED_LINK_TYPES).withConnections(50).withTruncate(false),
            GeneratorSpec.everything(52).withFormat(CaptureFileFormat.PCAPNG_BE).withLinkType(LinkFrames.LINKTYPE_RAW));
    }

    @ParameterizedTest
    @MethodSource("libpcapUnreadable")
    void shouldAgreeWithTsharkWhereLibpcapCannotReadTheFile(final GeneratorSpec spec) throws Exception {
        ExternalTools.require(ExternalTools.TSHARK);
        final Path capture = dir.resolve("mixed.pcapng");
        final Generated g = generate(spec, capture);
        if (ExternalTools.isAvailable(ExternalTools.TCPDUMP)) {
            final IOException refused = assertThrows(IOException.class,
                () -> ExternalTools.run(List.of("tcpdump", "-nn", "-r", capture.toString())));
            assertTrue(refused.getMessage().contains("different from the type of the first interface")
                || refused.getMessage().contains("byte order") || refused.getMessage().contains("snapshot length"),
                refused.getMessage());
        }
        final String out = ExternalTools.run(List.of("tshark", "-n", "-r", capture.toString(), "-T", "fields",
            "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
            "-e", "frame.number", "-e", "frame.interface_id", "-e", "frame.time_epoch", "-e", "frame.cap_len",
            "-e", "frame.len", "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst",
            "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "vlan.id",
            "-e", "arp.src.proto_ipv4", "-e", "frame.protocols", "-e", "ieee8021ad.id"));
        final List<String[]> packets = new ArrayList<>();
        for (final String line : out.split("\n")) {
            final String[] col = line.split("\t", -1);
            if (col.length > 1 && !col[1].isEmpty()) { // tshark 4.0 also lists custom blocks, without an interface
                packets.add(col);
            }
        }
        assertEquals(g.frames().size(), packets.size(), "packet count");
        for (final TruthFrame f : g.frames()) {
            final String[] col = packets.get(f.number() - 1);
            final String where = "frame " + f.number() + ": " + String.join(" ", col);
            assertEquals(f.interfaceId(), Integer.parseInt(col[1]), "interface of " + where);
            if (f.hasTimestamp()) {
                final String[] seconds = col[2].split("\\.");
                assertEquals(f.tsNanos(), Long.parseLong(seconds[0]) * 1_000_000_000L
                    + Long.parseLong((seconds[1] + "000000000").substring(0, 9)), "ts of " + where);
            }
            assertEquals(f.capturedLength(), Integer.parseInt(col[3]), "caplen of " + where);
            assertEquals(f.originalLength(), Integer.parseInt(col[4]), "length of " + where);
            if (f.proto().equals("arp")) {
                assertEquals(f.srcAddr(), col[14], where);
                continue;
            }
            if (f.proto().equals("lldp")) {
                assertTrue(col[15].contains("lldp"), where);
                continue;
            }
            final boolean v6 = f.srcAddr().contains(":");
            assertEquals(f.srcAddr(), first(col[v6 ? 7 : 5]), "source of " + where);
            assertEquals(f.dstAddr(), first(col[v6 ? 8 : 6]), "destination of " + where);
            if ((f.proto().equals("tcp") || f.proto().equals("udp")) && !f.isFragment()) {
                final int base = f.proto().equals("tcp") ? 9 : 11;
                assertEquals(String.valueOf(f.srcPort()), first(col[base]), "source port of " + where);
                assertEquals(String.valueOf(f.dstPort()), first(col[base + 1]), "destination port of " + where);
            }
            // tshark names an 802.1ad S-tag ieee8021ad.id and 802.1Q/0x9100 tags vlan.id; ours put 802.1ad outermost.
            final String tags = String.join(",", List.of(col[16], col[13]).stream().filter(t -> !t.isEmpty())
                .toArray(String[]::new));
            final String[] vlans = tags.isEmpty() ? new String[0] : tags.split(",");
            assertEquals(f.outerVlan(), vlans.length > 0 ? Integer.parseInt(vlans[0]) : -1, "vlan of " + where);
            assertEquals(f.innerVlan(), vlans.length > 1 ? Integer.parseInt(vlans[vlans.length - 1]) : -1,
                "inner vlan (Zeek's: the last tag after the first) of " + where);
        }
    }

    private static String first(final String aggregated) {
        assertNotNull(aggregated);
        final int comma = aggregated.indexOf(',');
        return comma < 0 ? aggregated : aggregated.substring(0, comma);
    }
}
