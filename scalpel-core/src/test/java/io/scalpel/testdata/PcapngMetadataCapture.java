package io.scalpel.testdata;

import io.scalpel.testdata.IpPackets.IpShape;
import io.scalpel.testdata.LinkFrames.LinkContext;
import io.scalpel.testdata.PcapngFileWriter.Option;
import io.scalpel.testdata.TransportSegments.Segment;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small pcapng capture with every kind of metadata block around two TLS connections, written
 * block by block so that a test knows what every block is and holds.
 *
 * <p>Connection A (IPv4, {@link #FLOW_A}) and connection B (IPv6, {@link #FLOW_B}) each open
 * with a handshake, a TLS ClientHello (client random {@link #RANDOM_A} / {@link #RANDOM_B}) and
 * a ServerHello, then close. Three sections:
 * <ol>
 *   <li>little-endian: interfaces 0 (Ethernet, µs), 1 (raw IP, ns, {@code if_tsoffset} 1000 s);
 *       NRB {@code nrb1}; a TLS key log {@code dsb1} with lines of both connections, a comment,
 *       an upper-case TLS 1.3 line of A and an RSA line; custom blocks {@code cb1} (copyable) and
 *       {@code dcb1} (do not copy); A on interface 0 and B on interface 1 (EPBs); a statistics
 *       block {@code isb1}; a local-use block {@code unknown1}; interface 2 (Ethernet, 2^-20 s)
 *       carrying A's fifth packet; a last NRB {@code nrb2};</li>
 *   <li>big-endian: interfaces 0 (Ethernet, µs) and 1 (Ethernet, 10^-4 s); a WireGuard secrets
 *       block {@code dsb2}; an ARP request in a simple packet block on interface 0; a TLS key log
 *       {@code dsb3} with one line of A (and a comment option); A's last packet in an obsolete
 *       packet block; B's last packet; custom block {@code cb2}; statistics {@code isb2};</li>
 *   <li>little-endian: interface 0 (Ethernet); NRB {@code nrb3}; an ARP reply.</li>
 * </ol>
 * The generator imports nothing from the code under test.
 */
public final class PcapngMetadataCapture {
    public static final String FLOW_A = "tcp 10.1.0.1:40001 10.2.0.1:443";
    public static final String FLOW_B = "tcp [2001:db8::1]:40002 [2001:db8::b]:443";
    public static final String RANDOM_A = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
    public static final String RANDOM_B = "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b";
    /** ServerHello random of A: a handshake message that must not count as a client random. */
    public static final String SERVER_RANDOM_A = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";
    public static final String MASTER_A = "11".repeat(48);
    public static final String MASTER_B = "22".repeat(48);
    /** Key-log lines of {@code dsb1}, each with its line end. */
    public static final String LINE_COMMENT = "# TLS key log of the metadata fixture\n";
    public static final String LINE_A = "CLIENT_RANDOM " + RANDOM_A + " " + MASTER_A + "\n";
    public static final String LINE_B = "CLIENT_RANDOM " + RANDOM_B + " " + MASTER_B + "\n";
    public static final String LINE_A_TLS13 = "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + RANDOM_A.toUpperCase(java.util.Locale.ROOT)
        + " " + "33".repeat(32) + "\r\n";
    public static final String LINE_RSA = "RSA 0102030405060708 " + "44".repeat(48) + "\n";
    /** The only line of {@code dsb3}. */
    public static final String LINE_A_TRAFFIC = "CLIENT_TRAFFIC_SECRET_0 " + RANDOM_A + " " + "55".repeat(32) + "\n";
    public static final long SECRETS_TLS = PcapngFileWriter.SECRETS_TLS_KEY_LOG;
    public static final long SECRETS_WIREGUARD = 0x57474b4cL;
    public static final int LOCAL_USE_BLOCK = 0x80000001;
    public static final long TSOFFSET_SECONDS = 1000;
    /** Time of the first packet. */
    public static final long T0 = 1_700_000_000_000_000_000L;

    private static final byte[] CLIENT_A = {10, 1, 0, 1};
    private static final byte[] SERVER_A = {10, 2, 0, 1};
    private static final byte[] CLIENT_B = ipv6(1);
    private static final byte[] SERVER_B = ipv6(0xb);
    private static final byte[] MAC_CLIENT = {0x02, 0, 0, 0, 0, 0x01};
    private static final byte[] MAC_SERVER = {0x02, 0, 0, 0, 0, 0x02};
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    private static final int TSRESOL_NANOS = 9;
    private static final int TSRESOL_2_POW_20 = 0x80 | 20;
    private static final int TSRESOL_10_POW_4 = 4;

    /**
     * One packet record.
     *
     * @param conn      "A", "B" or "-" (ARP)
     * @param block     where it lies
     * @param tsNanos   its time, or {@link TruthFrame#NO_TIMESTAMP} (SPB)
     * @param interfaceId interface in its section
     * @param linkType  link type of that interface
     * @param data      the frame bytes
     */
    public record Packet(String conn, TruthBlock block, long tsNanos, int interfaceId, int linkType, byte[] data) {
    }

    /**
     * What was written.
     *
     * @param blocks  every block in file order (they tile the file)
     * @param named   the metadata blocks by the names of the class comment ({@code nrb1}, {@code dsb1}, ...)
     * @param packets the packet records in file order
     */
    public record Written(List<TruthBlock> blocks, Map<String, TruthBlock> named, List<Packet> packets) {
        public List<Packet> of(final String conn) {
            return packets.stream().filter(p -> p.conn().equals(conn)).toList();
        }
    }

    private final PcapngFileWriter writer;
    private final Map<String, TruthBlock> named = new LinkedHashMap<>();
    private final List<Packet> packets = new ArrayList<>();
    private int number;

    private PcapngMetadataCapture(final OutputStream out) {
        this.writer = new PcapngFileWriter(out);
    }

    public static Written write(final Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            final PcapngMetadataCapture c = new PcapngMetadataCapture(out);
            c.sections();
            return new Written(List.copyOf(c.writer.blocks()), Map.copyOf(c.named), List.copyOf(c.packets));
        }
    }

    /**
     * One little-endian section: an Ethernet interface, a copyable custom block of
     * {@code customBytes} bytes of data, a TLS key log of at least {@code secretsBytes} bytes
     * ({@link #LINE_A} after comment lines), then connection A's first four packets.
     */
    public static Written writeLarge(final Path file, final int customBytes, final int secretsBytes) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            final PcapngMetadataCapture c = new PcapngMetadataCapture(out);
            c.writer.sectionHeader(ByteOrder.LITTLE_ENDIAN, List.of());
            c.writer.interfaceDescription(LinkFrames.LINKTYPE_ETHERNET, 0, List.of());
            final byte[] custom = new byte[customBytes];
            for (int i = 0; i < custom.length; i++) {
                custom[i] = (byte) (i * 31 + i / 4096);
            }
            c.name("cb1", c.writer.custom(true, custom));
            final StringBuilder log = new StringBuilder(secretsBytes + 256);
            final String filler = "# filler line of the large key log" + ".".repeat(60) + "\n";
            while (log.length() < secretsBytes - LINE_A.length()) {
                log.append(filler);
            }
            log.append(LINE_A);
            c.name("dsb1", c.writer.decryptionSecrets(SECRETS_TLS, log.toString().getBytes(StandardCharsets.US_ASCII),
                List.of()));
            final List<byte[]> a = conversation(CLIENT_A, SERVER_A, 40001, RANDOM_A);
            for (int i = 0; i < 4; i++) {
                c.ethernetEpb("A", 0, T0 + i * 10_000_000L, 1000L, a.get(i), i != 1);
            }
            return new Written(List.copyOf(c.writer.blocks()), Map.copyOf(c.named), List.copyOf(c.packets));
        }
    }

    /**
     * One little-endian section: an Ethernet interface, a decryption-secrets block of 12 bytes
     * (type and length only, too short for its fixed fields) named {@code dsb1}, then connection
     * A's first four packets.
     */
    public static Written writeShortSecrets(final Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            final PcapngMetadataCapture c = new PcapngMetadataCapture(out);
            c.writer.sectionHeader(ByteOrder.LITTLE_ENDIAN, List.of());
            c.writer.interfaceDescription(LinkFrames.LINKTYPE_ETHERNET, 0, List.of());
            c.name("dsb1", c.writer.otherBlock(PcapngFileWriter.BLOCK_DSB, new byte[0], "DSB"));
            final List<byte[]> a = conversation(CLIENT_A, SERVER_A, 40001, RANDOM_A);
            for (int i = 0; i < 4; i++) {
                c.ethernetEpb("A", 0, T0 + i * 10_000_000L, 1000L, a.get(i), i != 1);
            }
            return new Written(List.copyOf(c.writer.blocks()), Map.copyOf(c.named), List.copyOf(c.packets));
        }
    }

    private void sections() throws IOException {
        final List<byte[]> a = conversation(CLIENT_A, SERVER_A, 40001, RANDOM_A);
        final List<byte[]> b = conversation(CLIENT_B, SERVER_B, 40002, RANDOM_B);
        final long ms = 1_000_000L;

        // Section 0, little-endian.
        writer.sectionHeader(ByteOrder.LITTLE_ENDIAN, List.of(Option.text(PcapngFileWriter.OPT_COMMENT, "metadata fixture")));
        writer.interfaceDescription(LinkFrames.LINKTYPE_ETHERNET, 0, List.of(Option.text(PcapngFileWriter.IF_NAME, "eth0")));
        writer.interfaceDescription(LinkFrames.LINKTYPE_RAW, 65535, List.of(
            new Option(PcapngFileWriter.IF_TSRESOL, new byte[] {TSRESOL_NANOS}),
            writer.u64Option(PcapngFileWriter.IF_TSOFFSET, TSOFFSET_SECONDS)));
        name("nrb1", writer.nameResolution(List.of(SERVER_A, SERVER_B), List.of("server-a.example", "server-b.example")));
        name("dsb1", writer.decryptionSecrets(SECRETS_TLS,
            (LINE_COMMENT + LINE_A + LINE_B + LINE_A_TLS13 + LINE_RSA).getBytes(StandardCharsets.US_ASCII), List.of()));
        name("cb1", writer.custom(true, "copy me".getBytes(StandardCharsets.US_ASCII)));
        name("dcb1", writer.custom(false, "never copy me".getBytes(StandardCharsets.US_ASCII)));
        for (int i = 0; i < 4; i++) {
            ethernetEpb("A", 0, T0 + i * 10 * ms, 1000L, a.get(i), i != 1);
            rawEpb("B", 1, T0 + i * 10 * ms + 5 * ms, b.get(i));
        }
        name("isb1", writer.interfaceStatistics(0, (T0 + 40 * ms) / 1000, List.of()));
        name("unknown1", writer.otherBlock(LOCAL_USE_BLOCK, "local use".getBytes(StandardCharsets.US_ASCII), "local"));
        writer.interfaceDescription(LinkFrames.LINKTYPE_ETHERNET, 0, List.of(
            new Option(PcapngFileWriter.IF_TSRESOL, new byte[] {(byte) TSRESOL_2_POW_20})));
        // 2^-20 s units: a multiple of 2^11 units is a whole number of nanoseconds (5^9 ns per 2^11 units).
        final long units = (T0 / 1_000_000_000L + 1) * (1L << 20) + 5 * 2048;
        final long ns = (units >>> 20) * 1_000_000_000L + (units & ((1 << 20) - 1)) / 2048 * 1_953_125L;
        ethernetEpbUnits("A", 2, ns, units, a.get(4), false);
        name("nrb2", writer.nameResolution(List.of(CLIENT_A), List.of("client-a.example")));

        // Section 1, big-endian.
        writer.sectionHeader(ByteOrder.BIG_ENDIAN, List.of());
        writer.interfaceDescription(LinkFrames.LINKTYPE_ETHERNET, 0, List.of());
        writer.interfaceDescription(LinkFrames.LINKTYPE_ETHERNET, 0, List.of(
            new Option(PcapngFileWriter.IF_TSRESOL, new byte[] {TSRESOL_10_POW_4})));
        name("dsb2", writer.decryptionSecrets(SECRETS_WIREGUARD, new byte[] {1, 2, 3, 4, 5}, List.of()));
        final byte[] arpRequest = arp(1, MAC_CLIENT, CLIENT_A, new byte[6], SERVER_A);
        final byte[] arpFrame = LinkFrames.encode(LinkFrames.LINKTYPE_ETHERNET, writer.order(),
            link(MAC_CLIENT, BROADCAST), LinkFrames.ETHERTYPE_ARP, arpRequest);
        packets.add(new Packet("-", block(writer.simplePacket(++number, arpFrame, arpFrame.length)), TruthFrame.NO_TIMESTAMP, 0,
            LinkFrames.LINKTYPE_ETHERNET, arpFrame));
        name("dsb3", writer.decryptionSecrets(SECRETS_TLS, LINE_A_TRAFFIC.getBytes(StandardCharsets.US_ASCII),
            List.of(Option.text(PcapngFileWriter.OPT_COMMENT, "one more key"))));
        final long tA = T0 + 2000 * ms;
        final byte[] lastA = LinkFrames.encode(LinkFrames.LINKTYPE_ETHERNET, writer.order(), link(MAC_CLIENT, MAC_SERVER),
            LinkFrames.ETHERTYPE_IPV4, a.get(5));
        packets.add(new Packet("A", block(writer.obsoletePacket(++number, 1, 0, tA / 100_000, lastA, lastA.length, List.of())), tA, 1,
            LinkFrames.LINKTYPE_ETHERNET, lastA));
        final long tB = T0 + 2000 * ms + 100_000;
        final byte[] lastB = LinkFrames.encode(LinkFrames.LINKTYPE_ETHERNET, writer.order(), link(MAC_CLIENT, MAC_SERVER),
            LinkFrames.ETHERTYPE_IPV6, b.get(5));
        packets.add(new Packet("B", block(writer.enhancedPacket(++number, 1, tB / 100_000, lastB, lastB.length, List.of())), tB, 1,
            LinkFrames.LINKTYPE_ETHERNET, lastB));
        name("cb2", writer.custom(true, "copy me too".getBytes(StandardCharsets.US_ASCII)));
        name("isb2", writer.interfaceStatistics(1, tB / 100_000, List.of()));

        // Section 2, little-endian: no packet of A or B.
        writer.sectionHeader(ByteOrder.LITTLE_ENDIAN, List.of());
        writer.interfaceDescription(LinkFrames.LINKTYPE_ETHERNET, 0, List.of());
        name("nrb3", writer.nameResolution(List.of(SERVER_A), List.of("elsewhere.example")));
        final byte[] arpReply = LinkFrames.encode(LinkFrames.LINKTYPE_ETHERNET, writer.order(), link(MAC_SERVER, MAC_CLIENT),
            LinkFrames.ETHERTYPE_ARP, arp(2, MAC_SERVER, SERVER_A, MAC_CLIENT, CLIENT_A));
        final long tArp = T0 + 3000 * ms;
        packets.add(new Packet("-", block(writer.enhancedPacket(++number, 0, tArp / 1000, arpReply, arpReply.length, List.of())), tArp, 0,
            LinkFrames.LINKTYPE_ETHERNET, arpReply));
    }

    private void ethernetEpb(final String conn, final int id, final long tsNanos, final long nanosPerUnit, final byte[] ip,
                             final boolean fromClient) throws IOException {
        ethernetEpbUnits(conn, id, tsNanos, tsNanos / nanosPerUnit, ip, fromClient);
    }

    private void ethernetEpbUnits(final String conn, final int id, final long tsNanos, final long units, final byte[] ip,
                                  final boolean fromClient) throws IOException {
        final byte[] frame = LinkFrames.encode(LinkFrames.LINKTYPE_ETHERNET, writer.order(),
            fromClient ? link(MAC_CLIENT, MAC_SERVER) : link(MAC_SERVER, MAC_CLIENT), LinkFrames.ETHERTYPE_IPV4, ip);
        packets.add(new Packet(conn, block(writer.enhancedPacket(++number, id, units, frame, frame.length, List.of())), tsNanos, id,
            LinkFrames.LINKTYPE_ETHERNET, frame));
    }

    private void rawEpb(final String conn, final int id, final long tsNanos, final byte[] ip) throws IOException {
        final long units = tsNanos - TSOFFSET_SECONDS * 1_000_000_000L;
        packets.add(new Packet(conn, block(writer.enhancedPacket(++number, id, units, ip, ip.length, List.of())), tsNanos, id,
            LinkFrames.LINKTYPE_RAW, ip));
    }

    private void name(final String name, final long offset) {
        named.put(name, block(offset));
    }

    private TruthBlock block(final long offset) {
        final TruthBlock last = writer.blocks().get(writer.blocks().size() - 1);
        if (last.offset() != offset) {
            throw new IllegalStateException("block bookkeeping");
        }
        return last;
    }

    /** SYN, SYN-ACK, ACK, ClientHello, ServerHello, FIN: IP packets, client's first. */
    private static List<byte[]> conversation(final byte[] client, final byte[] server, final int clientPort,
                                             final String clientRandom) {
        final int s = 443;
        final long cs = 1000;
        final long ss = 5000;
        final byte[] hello = clientHello(HexFormat.of().parseHex(clientRandom));
        final byte[] serverHello = serverHello(HexFormat.of().parseHex(SERVER_RANDOM_A));
        final byte[] none = new byte[0];
        return List.of(
            ip(client, server, TransportSegments.tcp(client, server, clientPort, s, cs, 0, TransportSegments.TCP_SYN, 64240,
                TransportSegments.SYN_OPTIONS, none)),
            ip(server, client, TransportSegments.tcp(server, client, s, clientPort, ss, cs + 1,
                TransportSegments.TCP_SYN | TransportSegments.TCP_ACK, 65160, TransportSegments.SYN_OPTIONS, none)),
            ip(client, server, TransportSegments.tcp(client, server, clientPort, s, cs + 1, ss + 1, TransportSegments.TCP_ACK,
                502, none, none)),
            ip(client, server, TransportSegments.tcp(client, server, clientPort, s, cs + 1, ss + 1,
                TransportSegments.TCP_PSH | TransportSegments.TCP_ACK, 502, none, hello)),
            ip(server, client, TransportSegments.tcp(server, client, s, clientPort, ss + 1, cs + 1 + hello.length,
                TransportSegments.TCP_PSH | TransportSegments.TCP_ACK, 509, none, serverHello)),
            ip(client, server, TransportSegments.tcp(client, server, clientPort, s, cs + 1 + hello.length,
                ss + 1 + serverHello.length, TransportSegments.TCP_FIN | TransportSegments.TCP_ACK, 502, none, none)));
    }

    private static byte[] ip(final byte[] src, final byte[] dst, final Segment segment) {
        return IpPackets.packet(src, dst, IpPackets.PROTO_TCP, IpShape.plain(64, 7), segment.bytes()).bytes();
    }

    /** A TLS 1.2 ClientHello record: no session id, one cipher suite, null compression, no extensions. */
    static byte[] clientHello(final byte[] random) {
        final ByteArrayBuilder body = ByteArrayBuilder.bigEndian();
        body.u16(0x0303).bytes(random);     // client_version TLS 1.2, random
        body.u8(0);                         // session id length
        body.u16(2).u16(0x009c);            // cipher suites: TLS_RSA_WITH_AES_128_GCM_SHA256
        body.u8(1).u8(0);                   // compression methods: null
        return handshakeRecord(1, body.toByteArray());
    }

    /** A TLS 1.2 ServerHello record. */
    static byte[] serverHello(final byte[] random) {
        final ByteArrayBuilder body = ByteArrayBuilder.bigEndian();
        body.u16(0x0303).bytes(random);     // server_version, random
        body.u8(0);                         // session id length
        body.u16(0x009c);                   // cipher suite
        body.u8(0);                         // compression method
        return handshakeRecord(2, body.toByteArray());
    }

    private static byte[] handshakeRecord(final int type, final byte[] body) {
        final ByteArrayBuilder b = ByteArrayBuilder.bigEndian();
        b.u8(22).u16(0x0301).u16(4 + body.length);       // record: handshake, version 3.1, length
        b.u8(type).u8(0).u16(body.length).bytes(body);   // handshake type, 24-bit length, body
        return b.toByteArray();
    }

    private static byte[] arp(final int operation, final byte[] senderMac, final byte[] senderIp, final byte[] targetMac,
                              final byte[] targetIp) {
        final ByteArrayBuilder b = ByteArrayBuilder.bigEndian();
        b.u16(1).u16(LinkFrames.ETHERTYPE_IPV4).u8(6).u8(4).u16(operation);
        return b.bytes(senderMac).bytes(senderIp).bytes(targetMac).bytes(targetIp).toByteArray();
    }

    private static LinkContext link(final byte[] src, final byte[] dst) {
        return new LinkContext(src, dst, new int[0], false, false, 30, 1);
    }

    private static byte[] ipv6(final int last) {
        final byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[2] = 0x0d;
        a[3] = (byte) 0xb8;
        a[15] = (byte) last;
        return a;
    }
}
