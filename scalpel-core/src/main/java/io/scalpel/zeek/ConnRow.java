package io.scalpel.zeek;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.CommunityId;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.List;

/**
 * The values of one conn.log (or tunnel.log) row as text, whatever the log format, and their conversion into a
 * {@link ConnRecord} (or {@link TunnelRecord}). A null value is unset ({@code -}, JSON null) or absent.
 */
final class ConnRow {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int MAX_FRACTION_DIGITS = 9;
    private static final int MAX_EXPONENT = 30;
    private static final int MAX_PORT = 65_535;
    private static final int MAX_VLAN = 4_095;
    private static final int MAX_IP_PROTO = 255;

    private final String[] values = new String[ConnField.ALL.length];
    private List<String> tunnelParents = List.of();
    /** This row named a column of Zeek's VLAN-aware connection key, set or not. */
    private boolean vlanKeyField;
    /** The log this row is from keys connections by VLAN (told by the reader before conversion). */
    private boolean vlanKeyed;

    void clear() {
        Arrays.fill(values, null);
        tunnelParents = List.of();
        vlanKeyField = false;
    }

    void set(final ConnField field, final String value) {
        values[field.ordinal()] = value;
        vlanKeyField |= field.vlanKey;
    }

    /** Whether this row named {@code id.ctx.vlan} or {@code id.ctx.inner_vlan}, even as null. */
    boolean hasVlanKeyField() {
        return vlanKeyField;
    }

    void vlanKeyed(final boolean keyed) {
        vlanKeyed = keyed;
    }

    void tunnelParents(final List<String> parents) {
        tunnelParents = parents;
    }

    List<String> tunnelParents() {
        return tunnelParents;
    }

    String get(final ConnField field) {
        return values[field.ordinal()];
    }

    /**
     * Converts a conn.log row, or says which field is wrong and why. A row that lacks part of its
     * 5-tuple but has a community_id becomes a record without a 5-tuple
     * ({@link ConnRecord#hasFiveTuple()} false), to be joined by its Community ID.
     */
    ConnRecord toRecord(final long line) throws MalformedLineException {
        if (!isBlank(get(ConnField.COMMUNITY_ID)) && !hasFiveTuple()) {
            return communityIdRecord(line);
        }
        requireFields(ZeekLogKind.CONN);
        final Addresses.Parsed orig = address(ConnField.ORIG_H);
        final Addresses.Parsed resp = sameVersionAs(orig, address(ConnField.RESP_H));
        final LoggedTime ts = LoggedTime.parse(ConnField.TS, get(ConnField.TS));
        return new ConnRecord(
            get(ConnField.UID),
            line,
            ts.nanos(),
            ts.uncertaintyNanos(),
            duration(get(ConnField.DURATION)),
            get(ConnField.PROTO),
            bounded(ConnField.IP_PROTO, get(ConnField.IP_PROTO), MAX_IP_PROTO, "an IP protocol number"),
            orig.ipVersion(),
            orig.hi(), orig.lo(), port(ConnField.ORIG_P),
            resp.hi(), resp.lo(), port(ConnField.RESP_P),
            vlanTag(ConnField.VLAN, ConnField.CTX_VLAN),
            vlanTag(ConnField.INNER_VLAN, ConnField.CTX_INNER_VLAN),
            vlanKeyed,
            get(ConnField.COMMUNITY_ID),
            tunnelParents,
            count(ConnField.ORIG_PKTS),
            count(ConnField.RESP_PKTS));
    }

    /** Converts a tunnel.log row, or says which field is wrong and why. */
    TunnelRecord toTunnelRecord(final long line) throws MalformedLineException {
        requireFields(ZeekLogKind.TUNNEL);
        final Addresses.Parsed orig = address(ConnField.ORIG_H);
        final Addresses.Parsed resp = sameVersionAs(orig, address(ConnField.RESP_H));
        return new TunnelRecord(get(ConnField.UID), line, LoggedTime.parse(ConnField.TS, get(ConnField.TS)).nanos(), orig.ipVersion(),
            orig.hi(), orig.lo(), port(ConnField.ORIG_P), resp.hi(), resp.lo(), port(ConnField.RESP_P),
            get(ConnField.TUNNEL_TYPE), get(ConnField.ACTION));
    }

    private boolean hasFiveTuple() {
        for (ConnField f : ConnField.ALL) {
            if (f.fiveTuple && isBlank(get(f))) {
                return false;
            }
        }
        return true;
    }

    private ConnRecord communityIdRecord(final long line) throws MalformedLineException {
        final String uid = required(ConnField.UID);
        final String communityId = get(ConnField.COMMUNITY_ID);
        if (!CommunityId.isWellFormed(communityId)) {
            throw new MalformedLineException(ConnField.COMMUNITY_ID.key + ": " + SafeText.quote(communityId)
                + " is not a Community ID v1 (1: and 28 base64 characters)");
        }
        final LoggedTime ts = LoggedTime.parse(ConnField.TS, get(ConnField.TS));
        return new ConnRecord(
            uid,
            line,
            ts.nanos(),
            ts.uncertaintyNanos(),
            duration(get(ConnField.DURATION)),
            get(ConnField.PROTO),
            bounded(ConnField.IP_PROTO, get(ConnField.IP_PROTO), MAX_IP_PROTO, "an IP protocol number"),
            ConnRecord.NO_IP_VERSION,
            0, 0, ConnRecord.UNSET,
            0, 0, ConnRecord.UNSET,
            vlanTag(ConnField.VLAN, ConnField.CTX_VLAN),
            vlanTag(ConnField.INNER_VLAN, ConnField.CTX_INNER_VLAN),
            vlanKeyed,
            communityId,
            tunnelParents,
            count(ConnField.ORIG_PKTS),
            count(ConnField.RESP_PKTS));
    }

    private void requireFields(final ZeekLogKind kind) throws MalformedLineException {
        for (ConnField f : ConnField.ALL) {
            if (kind.requires(f)) {
                required(f);
            }
        }
    }

    /** The field's value, or says that it is missing, unset or empty. */
    private String required(final ConnField f) throws MalformedLineException {
        final String v = get(f);
        if (v == null) {
            throw new MalformedLineException(f.key + " is missing or unset");
        }
        if (v.isEmpty()) {
            throw new MalformedLineException(f.key + " is empty");
        }
        return v;
    }

    private static boolean isBlank(final String v) {
        return v == null || v.isEmpty();
    }

    /** A VLAN tag from its column, or from Zeek 8's {@code id.ctx} column when the other is absent. */
    private int vlanTag(final ConnField field, final ConnField ctxField) throws MalformedLineException {
        final String text = get(field) != null ? get(field) : get(ctxField);
        return bounded(field, text, MAX_VLAN, "a VLAN id");
    }

    /** {@code resp}, when it is of {@code orig}'s IP version. */
    private Addresses.Parsed sameVersionAs(final Addresses.Parsed orig, final Addresses.Parsed resp) throws MalformedLineException {
        if (orig.ipVersion() != resp.ipVersion()) {
            throw new MalformedLineException(ConnField.ORIG_H.key + " " + SafeText.quote(get(ConnField.ORIG_H))
                + " and " + ConnField.RESP_H.key + " " + SafeText.quote(get(ConnField.RESP_H))
                + " are of different IP versions");
        }
        return resp;
    }

    private Addresses.Parsed address(final ConnField field) throws MalformedLineException {
        final String text = get(field);
        try {
            return Addresses.parse(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedLineException(field.key + ": " + SafeText.quote(text) + " is not an IP address");
        }
    }

    private int port(final ConnField field) throws MalformedLineException {
        final String text = get(field);
        final long v = digits(text, MAX_PORT);
        if (v < 0) {
            throw new MalformedLineException(field.key + ": " + SafeText.quote(text) + " is not a port (0-" + MAX_PORT + ")");
        }
        return (int) v;
    }

    private long count(final ConnField field) throws MalformedLineException {
        final String text = get(field);
        if (text == null) {
            return ConnRecord.UNSET;
        }
        final long v = digits(text, Long.MAX_VALUE);
        if (v < 0) {
            throw new MalformedLineException(field.key + ": " + SafeText.quote(text) + " is not a count");
        }
        return v;
    }

    private static int bounded(final ConnField field, final String text, final int max, final String what)
        throws MalformedLineException {
        if (text == null) {
            return ConnRecord.UNSET;
        }
        final long v = digits(text, max);
        if (v < 0) {
            throw new MalformedLineException(field.key + ": " + SafeText.quote(text) + " is not " + what + " (0-" + max + ")");
        }
        return (int) v;
    }

    /** A plain unsigned decimal integer up to max, or -1. */
    private static long digits(final String text, final long max) {
        if (text.isEmpty() || text.length() > 19) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < text.length(); i++) {
            final int d = text.charAt(i) - '0';
            if (d < 0 || d > 9 || v > (max - d) / 10) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** {@code duration} in nanoseconds; unset means 0 (one packet, or all at one timestamp). */
    static long duration(final String text) throws MalformedLineException {
        if (text == null) {
            return 0;
        }
        final long nanos = decimalNanos(text);
        if (nanos < 0) {
            throw new MalformedLineException(ConnField.DURATION.key + ": " + SafeText.quote(text)
                + " is not a duration in seconds");
        }
        return nanos;
    }

    /**
     * Non-negative decimal seconds ({@code 12}, {@code 12.5}, {@code 1.25e3}) to nanoseconds without
     * going through binary floating point; digits past the ninth decimal are dropped. -1 when the
     * text is not such a number or the result does not fit a long.
     */
    static long decimalNanos(final String text) {
        final int n = text.length();
        int i = 0;
        long seconds = 0;
        while (i < n && isDigit(text.charAt(i))) {
            final int d = text.charAt(i) - '0';
            if (seconds > (Long.MAX_VALUE - d) / 10) {
                return -1;
            }
            seconds = seconds * 10 + d;
            i++;
        }
        if (i == 0) {
            return -1;
        }
        long fraction = 0;
        int fractionDigits = 0;
        if (i < n && text.charAt(i) == '.') {
            final int start = ++i;
            while (i < n && isDigit(text.charAt(i))) {
                if (fractionDigits < MAX_FRACTION_DIGITS) {
                    fraction = fraction * 10 + (text.charAt(i) - '0');
                    fractionDigits++;
                }
                i++;
            }
            if (i == start) {
                return -1;
            }
        }
        if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            return exponentNanos(text, i + 1);
        }
        if (i != n) {
            return -1;
        }
        for (; fractionDigits < MAX_FRACTION_DIGITS; fractionDigits++) {
            fraction *= 10;
        }
        if (seconds > (Long.MAX_VALUE - fraction) / NANOS_PER_SECOND) {
            return -1;
        }
        return seconds * NANOS_PER_SECOND + fraction;
    }

    private static long exponentNanos(final String text, final int exponentStart) {
        int i = exponentStart;
        if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            i++;
        }
        int exponent = 0;
        final int digitsStart = i;
        for (; i < text.length(); i++) {
            if (!isDigit(text.charAt(i)) || i - digitsStart >= 3) {
                return -1;
            }
            exponent = exponent * 10 + (text.charAt(i) - '0');
        }
        if (i == digitsStart || exponent > MAX_EXPONENT) {
            return -1;
        }
        try {
            return new BigDecimal(text).movePointRight(MAX_FRACTION_DIGITS)
                .setScale(0, RoundingMode.DOWN).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            return -1;
        }
    }

    private static boolean isDigit(final char c) {
        return c >= '0' && c <= '9';
    }
}
