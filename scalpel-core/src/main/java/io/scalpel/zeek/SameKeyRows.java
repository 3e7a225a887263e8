package io.scalpel.zeek;

import io.scalpel.decode.FlowHash;
import io.scalpel.decode.FlowKey;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * For conn.log rows, the start of the log's next row with the same connection key: where a TCP
 * connection's packets after its close must end at the latest (DOMAIN-NOTES section 2). The key
 * is Zeek's: the protocol and the two endpoints in either order, plus the VLAN tags when the join
 * is VLAN-aware; a row without a 5-tuple is keyed by its {@code community_id}. Rows without a
 * timestamp are left out.
 */
public final class SameKeyRows {
    /** {@link #nextStart(ConnRecord)} when the log has no later row of the key. */
    public static final long NONE = Long.MAX_VALUE;

    private final boolean vlanAware;
    private final Map<Key, long[]> starts = new HashMap<>();
    private final Map<Key, Integer> counts = new HashMap<>();
    private boolean sorted = true;

    public SameKeyRows(final boolean vlanAware) {
        this.vlanAware = vlanAware;
    }

    /** The rows' own next rows: {@code rows} stand for the whole log. */
    public static SameKeyRows of(final Collection<ConnRecord> rows, final boolean vlanAware) {
        final SameKeyRows s = new SameKeyRows(vlanAware);
        for (ConnRecord r : rows) {
            s.add(r);
        }
        return s;
    }

    /** Takes in one row of the log. */
    public void add(final ConnRecord r) {
        if (!r.hasTimestamp()) {
            return;
        }
        final Key k = key(r);
        final int n = counts.getOrDefault(k, 0);
        long[] ts = starts.get(k);
        if (ts == null || ts.length == n) {
            ts = ts == null ? new long[2] : Arrays.copyOf(ts, n * 2);
            starts.put(k, ts);
        }
        ts[n] = r.tsNanos();
        counts.put(k, n + 1);
        sorted = false;
    }

    /** The ts of the earliest row of {@code r}'s key that starts after {@code r}, or {@link #NONE}. */
    public long nextStart(final ConnRecord r) {
        if (!r.hasTimestamp()) {
            return NONE;
        }
        sort();
        final Key k = key(r);
        final long[] ts = starts.get(k);
        if (ts == null) {
            return NONE;
        }
        final int n = counts.get(k);
        int lo = 0;
        int hi = n; // first index with ts > r.ts
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (ts[mid] <= r.tsNanos()) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < n ? ts[lo] : NONE;
    }

    private void sort() {
        if (sorted) {
            return;
        }
        for (Map.Entry<Key, long[]> e : starts.entrySet()) {
            Arrays.sort(e.getValue(), 0, counts.get(e.getKey()));
        }
        sorted = true;
    }

    private Key key(final ConnRecord r) {
        return key(r, vlanAware);
    }

    /**
     * A 64-bit hash of {@code r}'s connection key, for sorting rows by key outside the heap
     * ({@link ConnLogBatches}) and finding a key's rows in a conn.log index
     * ({@code io.scalpel.api.ConnLogIndex}); rows of one key hash alike, rows of two keys almost never do.
     */
    public static long keyHash(final ConnRecord r, final boolean vlanAware) {
        final Key k = key(r, vlanAware);
        long h = mix(k.protocolClass() * 31L + k.ipVersion());
        h = mix(h ^ k.aHi());
        h = mix(h ^ k.aLo());
        h = mix(h ^ k.aPort());
        h = mix(h ^ k.bHi());
        h = mix(h ^ k.bLo());
        h = mix(h ^ k.bPort());
        h = mix(h ^ ((long) k.vlan() << 32 | (k.innerVlan() & 0xFFFF_FFFFL)));
        if (k.communityId() != null) {
            h = mix(h ^ stringHash(k.communityId()));
        }
        return h;
    }

    /** A 64-bit hash of a string (FNV-1a over its chars, then mixed). */
    public static long stringHash(final String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** SplitMix64's finalizer. */
    private static long mix(final long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static Key key(final ConnRecord r, final boolean vlanAware) {
        final int vlan = vlanAware ? r.vlan() : ConnRecord.UNSET;
        final int inner = vlanAware ? r.innerVlan() : ConnRecord.UNSET;
        if (!r.hasFiveTuple()) {
            return new Key(0, 0, 0, 0, 0, 0, 0, 0, vlan, inner, r.communityId());
        }
        final String proto = r.proto() == null ? "" : r.proto().toLowerCase(Locale.ROOT);
        final int protocolClass = switch (proto) {
            case "tcp" -> FlowKey.PROTO_TCP;
            case "udp" -> FlowKey.PROTO_UDP;
            case "icmp" -> FlowKey.PROTO_ICMP;
            default -> r.ipProto() >= 0 ? FlowHash.protocolClass(r.ipProto()) : FlowHash.OTHER_PROTOCOLS;
        };
        final boolean origFirst = r.origHi() < r.respHi() || (r.origHi() == r.respHi()
            && (r.origLo() < r.respLo() || (r.origLo() == r.respLo() && r.origPort() <= r.respPort())));
        return origFirst
            ? new Key(protocolClass, r.ipVersion(), r.origHi(), r.origLo(), r.origPort(), r.respHi(), r.respLo(), r.respPort(), vlan, inner, null)
            : new Key(protocolClass, r.ipVersion(), r.respHi(), r.respLo(), r.respPort(), r.origHi(), r.origLo(), r.origPort(), vlan, inner, null);
    }

    /**
     * Zeek's connection key of a row: endpoints in a fixed order. Its equality and hash are written
     * out: a record's own are made at their first call from method handles (ObjectMethods), some
     * thirty classes spun at run time, which a one-uid slice paid at the end of its log's search.
     */
    private record Key(int protocolClass, int ipVersion, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort,
                       int vlan, int innerVlan, String communityId) {
        @Override
        public boolean equals(final Object o) {
            return o instanceof Key k && protocolClass == k.protocolClass && ipVersion == k.ipVersion && aHi == k.aHi && aLo == k.aLo
                && aPort == k.aPort && bHi == k.bHi && bLo == k.bLo && bPort == k.bPort && vlan == k.vlan && innerVlan == k.innerVlan
                && Objects.equals(communityId, k.communityId);
        }

        @Override
        public int hashCode() {
            long h = mix(aHi ^ mix(aLo ^ mix(bHi ^ mix(bLo))));
            h = mix(h ^ ((long) aPort << 48 | (long) bPort << 32 | (long) protocolClass << 8 | ipVersion));
            h = mix(h ^ ((long) vlan << 32 | (innerVlan & 0xFFFF_FFFFL)));
            return Long.hashCode(h) * 31 + Objects.hashCode(communityId);
        }
    }
}
