package io.scalpel.extract;

import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * The TLS side of {@code --keep-secrets}: the client randoms of the ClientHellos in an extract's
 * frames, and the NSS key-log lines of a decryption-secrets block that belong to them.
 *
 * <p>A client random is taken from a frame when its innermost IP layer carries TCP (not a
 * fragment) and the TCP payload starts with a TLS record (content type 22, handshake; record
 * version 0x0300 to 0x0304) whose first handshake message is a ClientHello (type 1, client
 * version major 3), with all 32 bytes of the random inside the captured frame and inside the IP
 * packet's length. Only the first record of each segment is looked at; a ClientHello that does not
 * start a segment, is cut before its random, or travels over UDP (DTLS, QUIC) is not found.
 *
 * <p>A key-log line is kept when its second space-separated field is exactly 64 hex digits
 * (either case) that spell one of those client randoms, followed by a space and a third field:
 * {@code CLIENT_RANDOM} and the TLS 1.3 labels ({@code CLIENT_HANDSHAKE_TRAFFIC_SECRET},
 * {@code SERVER_TRAFFIC_SECRET_0}, ...). Lines end at LF; a kept line keeps its bytes and its line
 * end (CRLF included). Every other line is dropped: comments ({@code #}), blank lines, {@code RSA} lines (keyed by the encrypted
 * pre-master secret, not by a client random) and lines of other sessions.
 */
public final class TlsKeyLog {
    /** Secrets type of a TLS key log in a decryption-secrets block ("TLSK"). */
    static final int SECRETS_TYPE_TLS = 0x544C534B;
    static final int CLIENT_RANDOM_LENGTH = 32;

    private static final int TCP_DATA_OFFSET = 12;
    private static final int TCP_MIN_HEADER_LENGTH = 20;
    private static final int IPV4_TOTAL_LENGTH = 2;
    private static final int IPV6_PAYLOAD_LENGTH = 4;
    private static final int IPV6_HEADER_LENGTH = 40;
    private static final int TLS_CONTENT_TYPE_HANDSHAKE = 22;
    private static final int TLS_MAJOR_VERSION = 3;
    private static final int TLS_MAX_MINOR_VERSION = 4;
    private static final int TLS_RECORD_HEADER_LENGTH = 5;
    private static final int HANDSHAKE_CLIENT_HELLO = 1;
    private static final int HANDSHAKE_HEADER_LENGTH = 4;
    private static final int CLIENT_VERSION_LENGTH = 2;
    /** Offset of the random from the start of the TCP payload: record header, handshake header, client version. */
    private static final int RANDOM_OFFSET = TLS_RECORD_HEADER_LENGTH + HANDSHAKE_HEADER_LENGTH + CLIENT_VERSION_LENGTH;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private TlsKeyLog() {
    }

    /**
     * Adds the client random of the ClientHello that starts the TCP payload of the frame in
     * {@code b} at [{@code offset}, {@code offset + length}), decoded into {@code decoded}, as 64
     * lower-case hex digits to {@code randoms}; returns whether there was one.
     */
    public static boolean clientRandom(final ByteBuffer b, final int offset, final int length, final DecodedPacket decoded,
                                final Set<String> randoms) {
        final FlowKey key = decoded.innermost();
        if (key == null || key.protocol() != FlowKey.PROTO_TCP || key.isFragment()
            || decoded.transportOffset() == DecodedPacket.NO_OFFSET || decoded.ipOffset() == DecodedPacket.NO_OFFSET) {
            return false;
        }
        int end = offset + length;
        final int ip = decoded.ipOffset();
        if (key.ipVersion() == FlowKey.IPV4 && ip + IPV4_TOTAL_LENGTH + 2 <= end) {
            end = Math.min(end, ip + (b.getShort(ip + IPV4_TOTAL_LENGTH) & 0xFFFF));
        } else if (key.ipVersion() == FlowKey.IPV6 && ip + IPV6_PAYLOAD_LENGTH + 2 <= end) {
            end = Math.min(end, ip + IPV6_HEADER_LENGTH + (b.getShort(ip + IPV6_PAYLOAD_LENGTH) & 0xFFFF));
        }
        final int tcp = decoded.transportOffset();
        if (tcp + TCP_MIN_HEADER_LENGTH > end) {
            return false;
        }
        final int headerLength = ((b.get(tcp + TCP_DATA_OFFSET) & 0xFF) >>> 4) * 4;
        if (headerLength < TCP_MIN_HEADER_LENGTH) {
            return false;
        }
        final int p = tcp + headerLength;
        if (p + RANDOM_OFFSET + CLIENT_RANDOM_LENGTH > end) {
            return false;
        }
        final int recordLength = b.getShort(p + 3) & 0xFFFF;
        if ((b.get(p) & 0xFF) != TLS_CONTENT_TYPE_HANDSHAKE
            || (b.get(p + 1) & 0xFF) != TLS_MAJOR_VERSION || (b.get(p + 2) & 0xFF) > TLS_MAX_MINOR_VERSION
            || recordLength < HANDSHAKE_HEADER_LENGTH + CLIENT_VERSION_LENGTH + CLIENT_RANDOM_LENGTH
            || (b.get(p + TLS_RECORD_HEADER_LENGTH) & 0xFF) != HANDSHAKE_CLIENT_HELLO
            || (b.get(p + TLS_RECORD_HEADER_LENGTH + HANDSHAKE_HEADER_LENGTH) & 0xFF) != TLS_MAJOR_VERSION) {
            return false;
        }
        final char[] hex = new char[CLIENT_RANDOM_LENGTH * 2];
        for (int i = 0; i < CLIENT_RANDOM_LENGTH; i++) {
            final int v = b.get(p + RANDOM_OFFSET + i) & 0xFF;
            hex[2 * i] = HEX[v >>> 4];
            hex[2 * i + 1] = HEX[v & 0xF];
        }
        randoms.add(new String(hex));
        return true;
    }

    /** The lines of a key log (each with its line end) whose client random is in {@code randoms}. */
    static byte[] linesOf(final byte[] keyLog, final int length, final Set<String> randoms) {
        final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        int start = 0;
        while (start < length) {
            int end = start;
            while (end < length && keyLog[end] != '\n') {
                end++;
            }
            final int next = end < length ? end + 1 : end;
            final String random = start < end && keyLog[start] == '#' ? null : secondField(keyLog, start, end);
            if (random != null && randoms.contains(random)) {
                kept.write(keyLog, start, next - start);
            }
            start = next;
        }
        return kept.toByteArray();
    }

    /** The second space-separated field of a line when it is 64 hex digits, lower-cased; else null. */
    private static String secondField(final byte[] line, final int from, final int to) {
        int i = from;
        while (i < to && line[i] != ' ') {
            i++;
        }
        if (i == from || i >= to) {
            return null;
        }
        final int start = i + 1;
        int end = start;
        while (end < to && line[end] != ' ' && line[end] != '\r') {
            end++;
        }
        if (end - start != CLIENT_RANDOM_LENGTH * 2 || end >= to || line[end] != ' ') {
            return null;
        }
        final char[] hex = new char[end - start];
        for (int k = start; k < end; k++) {
            final int c = Character.toLowerCase(line[k] & 0xFF);
            if (Character.digit(c, 16) < 0) {
                return null;
            }
            hex[k - start] = (char) c;
        }
        return new String(hex);
    }
}
