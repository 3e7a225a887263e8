package io.scalpel.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.PacketDecoder;
import io.scalpel.testing.Frames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Exactly which ClientHellos give a client random (hand-built Ethernet frames, laid out as RFC
 * 5246 §7.4.1.2 and RFC 8446 §4.1.2 describe a ClientHello record) and exactly which key-log
 * lines (NSS key log format) a set of client randoms keeps.
 */
class TlsKeyLogTest {
    private static final String R = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private static final String OTHER = "ff".repeat(32);
    private static final String SECRET = "ab".repeat(48);
    private static final int ETHERNET_LINKTYPE = 1;
    private static final byte[] NO_MAC = new byte[6];
    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int SERVER_HELLO = 2;

    @Test
    void shouldKeepTheLinesOfTheGivenClientRandomsAsTheyAre() {
        final String log = "# a comment with " + R + " in it\n"
            + "#x " + R + " " + SECRET + "\n"                       // commented out
            + "CLIENT_RANDOM " + R + " " + SECRET + "\n"            // kept
            + "CLIENT_RANDOM " + OTHER + " " + SECRET + "\n"        // another session
            + "\n"                                                  // blank
            + "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + R.toUpperCase() + " " + SECRET + "\r\n" // kept, case and CRLF as given
            + "CLIENT_RANDOM " + R + "\n"                           // no secret
            + "CLIENT_RANDOM " + R.substring(1) + " " + SECRET + "\n" // 63 digits
            + "CLIENT_RANDOM " + R + "0 " + SECRET + "\n"           // 65 digits
            + "CLIENT_RANDOM  " + R + " " + SECRET + "\n"           // two spaces: the second field is empty
            + "RSA 0102030405060708 " + SECRET + "\n"               // keyed by the encrypted pre-master secret
            + "SERVER_TRAFFIC_SECRET_0 " + R + " " + SECRET;        // kept, last line without a line end
        final byte[] bytes = log.getBytes(StandardCharsets.US_ASCII);

        final byte[] kept = TlsKeyLog.linesOf(bytes, bytes.length, Set.of(R));

        assertEquals("CLIENT_RANDOM " + R + " " + SECRET + "\n"
                + "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + R.toUpperCase() + " " + SECRET + "\r\n"
                + "SERVER_TRAFFIC_SECRET_0 " + R + " " + SECRET,
            new String(kept, StandardCharsets.US_ASCII));
        assertEquals(0, TlsKeyLog.linesOf(bytes, bytes.length, Set.of()).length, "no client random: nothing");
    }

    @Test
    void shouldFindTheClientRandomOfAClientHelloStartingATcpSegment() {
        final Set<String> randoms = new HashSet<>();
        assertTrue(find(ipv4Tcp(record(HANDSHAKE, 0x0301, CLIENT_HELLO, 0x0303)), randoms), "IPv4, record version 3.1");
        assertEquals(Set.of(R), randoms);
        randoms.clear();
        assertTrue(find(ipv6Tcp(record(HANDSHAKE, 0x0303, CLIENT_HELLO, 0x0303)), randoms), "IPv6, record version 3.3");
        assertEquals(Set.of(R), randoms);
    }

    @Test
    void shouldFindNoClientRandomWhereThereIsNoWholeClientHello() {
        final Set<String> randoms = new HashSet<>();
        assertFalse(find(ipv4Tcp(record(HANDSHAKE, 0x0303, SERVER_HELLO, 0x0303)), randoms), "a ServerHello");
        assertFalse(find(ipv4Tcp(record(23, 0x0303, CLIENT_HELLO, 0x0303)), randoms), "application data");
        assertFalse(find(ipv4Tcp(record(HANDSHAKE, 0x0305, CLIENT_HELLO, 0x0303)), randoms), "record version 3.5");
        assertFalse(find(ipv4Tcp(record(HANDSHAKE, 0x0203, CLIENT_HELLO, 0x0303)), randoms), "record version major 2");
        assertFalse(find(ipv4Tcp(record(HANDSHAKE, 0x0303, CLIENT_HELLO, 0x0203)), randoms), "client version major 2");
        final byte[] hello = record(HANDSHAKE, 0x0303, CLIENT_HELLO, 0x0303);
        final byte[] cut = java.util.Arrays.copyOf(hello, 11 + 31);
        assertFalse(find(ipv4Tcp(cut), randoms), "the random's last byte is not in the segment");
        final byte[] frame = ipv4Tcp(hello);
        assertFalse(find(frame, frame.length - hello.length + 11 + 31, randoms), "the random's last byte is not captured");
        final byte[] udp = ipv4Tcp(hello);
        udp[14 + 9] = 17; // IPv4 protocol: UDP (DTLS and QUIC are not looked at)
        assertFalse(find(udp, udp.length, randoms), "UDP");
        final byte[] shortIp = ipv4Tcp(hello);
        ByteBuffer.wrap(shortIp).putShort(14 + 2, (short) (20 + 20 + 11 + 31)); // IPv4 total length ends inside the random
        assertFalse(find(shortIp, shortIp.length, randoms), "the random runs past the IP packet (into padding)");
        assertEquals(Set.of(), randoms);
    }

    private static boolean find(final byte[] frame, final Set<String> randoms) {
        return find(frame, frame.length, randoms);
    }

    private static boolean find(final byte[] frame, final int captured, final Set<String> randoms) {
        final ByteBuffer b = ByteBuffer.wrap(frame);
        final DecodedPacket decoded = new DecodedPacket();
        new PacketDecoder().decode(ETHERNET_LINKTYPE, b, 0, captured, decoded);
        return TlsKeyLog.clientRandom(b, 0, captured, decoded, randoms);
    }

    /** A TLS record holding one handshake message: type, 24-bit length, version, the random R, a session id length of 0. */
    private static byte[] record(final int contentType, final int recordVersion, final int handshakeType, final int helloVersion) {
        final ByteBuffer b = ByteBuffer.allocate(5 + 4 + 2 + 32 + 1);
        b.put((byte) contentType).putShort((short) recordVersion).putShort((short) (4 + 2 + 32 + 1)); // record header
        b.put((byte) handshakeType).put((byte) 0).putShort((short) (2 + 32 + 1));                 // handshake header
        b.putShort((short) helloVersion);                                                           // client version
        b.put(java.util.HexFormat.of().parseHex(R));                                                // random
        b.put((byte) 0);                                                                            // session id length
        return b.array();
    }

    /** Ethernet, IPv4 (20 bytes) 10.0.0.1 > 10.0.0.2, TCP (20 bytes, PSH|ACK), then {@code payload}. */
    private static byte[] ipv4Tcp(final byte[] payload) {
        return Frames.concat(Frames.ethernet(NO_MAC, NO_MAC, Frames.ETHERTYPE_IPV4),
            Frames.ipv4Fragment(Frames.PROTO_TCP, Frames.bytes(10, 0, 0, 1), Frames.bytes(10, 0, 0, 2),
                Frames.TCP_HEADER_LENGTH + payload.length, 1, false, 0),
            tcp(), payload);
    }

    /** Ethernet, IPv6 (40 bytes) ::1 > ::2, TCP (20 bytes, PSH|ACK), then {@code payload}. */
    private static byte[] ipv6Tcp(final byte[] payload) {
        final byte[] one = new byte[16];
        final byte[] two = new byte[16];
        one[15] = 1;
        two[15] = 2;
        return Frames.concat(Frames.ethernet(NO_MAC, NO_MAC, Frames.ETHERTYPE_IPV6),
            Frames.ipv6(Frames.PROTO_TCP, one, two, Frames.TCP_HEADER_LENGTH + payload.length), tcp(), payload);
    }

    /** TCP 40000 > 443, PSH|ACK. */
    private static byte[] tcp() {
        return Frames.tcp(40000, 443, 1, 1, Frames.TCP_PSH | Frames.TCP_ACK, 502);
    }
}
