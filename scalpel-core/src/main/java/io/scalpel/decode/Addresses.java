package io.scalpel.decode;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP addresses held as two longs (see {@link FlowKey}): parsing from and formatting to text.
 * Used off the scan path (conn.log rows, flows table, messages).
 */
public final class Addresses {
    private Addresses() {
    }

    /** Parsed address: version, hi, lo. */
    public record Parsed(int ipVersion, long hi, long lo) {
    }

    /**
     * Parses an IPv4 dotted quad or an IPv6 address (any RFC 4291 text form, also with an
     * embedded IPv4 part); never does a DNS lookup.
     *
     * @throws IllegalArgumentException when the text is not an IP address
     */
    public static Parsed parse(final String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        final boolean v6 = text.indexOf(':') >= 0;
        if (!v6) {
            final int v4 = parseIpv4(text);
            return new Parsed(FlowKey.IPV4, 0, v4 & 0xFFFF_FFFFL);
        }
        String t = text;
        final int zone = t.indexOf('%');
        if (zone >= 0) {
            t = t.substring(0, zone);
        }
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        for (int i = 0; i < t.length(); i++) {
            final char c = t.charAt(i);
            if (!(c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                throw new IllegalArgumentException("not an IP address: '" + text + "'");
            }
        }
        final byte[] b;
        try {
            b = InetAddress.getByName(t).getAddress(); // literal only: characters checked above
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        if (b.length == 4) { // an IPv4-mapped literal collapses to IPv4 in InetAddress
            final byte[] m = new byte[16];
            m[10] = (byte) 0xFF;
            m[11] = (byte) 0xFF;
            System.arraycopy(b, 0, m, 12, 4);
            return new Parsed(FlowKey.IPV6, getLong(m, 0), getLong(m, 8));
        }
        return new Parsed(FlowKey.IPV6, getLong(b, 0), getLong(b, 8));
    }

    private static int parseIpv4(final String text) {
        int result = 0;
        int part = 0;
        int digits = 0;
        int dots = 0;
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c == '.') {
                if (digits == 0 || dots == 3) {
                    throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
                }
                result = (result << 8) | part;
                part = 0;
                digits = 0;
                dots++;
            } else if (c >= '0' && c <= '9') {
                part = part * 10 + (c - '0');
                if (++digits > 3 || part > 255) {
                    throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
                }
            } else {
                throw new IllegalArgumentException("not an IP address: '" + text + "'");
            }
        }
        if (dots != 3 || digits == 0) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        return (result << 8) | part;
    }

    private static long getLong(final byte[] b, final int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    /** The address as bytes in network order: 4 for IPv4, 16 for IPv6. */
    public static byte[] toBytes(final int ipVersion, final long hi, final long lo) {
        if (ipVersion == FlowKey.IPV4) {
            return new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo};
        }
        final byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return b;
    }

    /** Text form: dotted quad, or RFC 5952 canonical IPv6 (as Zeek prints it). */
    public static String format(final int ipVersion, final long hi, final long lo) {
        if (ipVersion == FlowKey.IPV4) {
            return ((lo >>> 24) & 0xFF) + "." + ((lo >>> 16) & 0xFF) + "." + ((lo >>> 8) & 0xFF) + "." + (lo & 0xFF);
        }
        if (ipVersion != FlowKey.IPV6) {
            return "-";
        }
        final int[] words = new int[8];
        for (int i = 0; i < 4; i++) {
            words[i] = (int) ((hi >>> (48 - 16 * i)) & 0xFFFF);
            words[4 + i] = (int) ((lo >>> (48 - 16 * i)) & 0xFFFF);
        }
        // IPv4-mapped addresses print in mixed notation like Zeek does (::ffff:1.2.3.4).
        if (hi == 0 && (lo >>> 32) == 0xFFFFL) {
            return "::ffff:" + format(FlowKey.IPV4, 0, lo & 0xFFFF_FFFFL);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (words[i] == 0) {
                int j = i;
                while (j < 8 && words[j] == 0) {
                    j++;
                }
                if (j - i > bestLen && j - i >= 2) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        final StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(words[i]));
        }
        return sb.toString();
    }
}
