package io.scalpel.slice;

import java.util.Arrays;

/**
 * The connection keys of a listing ({@link FlowConnections}), each numbered once: a key's
 * endpoints in {@link Connection.Key}'s order (the smaller first), its protocol, VLAN tags and
 * depth, in primitive columns with open addressing, so that a key costs about 70 bytes and no
 * object. A key can be taken out ({@link #remove}, for a streamed listing's open keys), its number
 * then handed to the next key added.
 */
final class FlowKeyTable {
    private static final int EMPTY = -1;

    private int[] slots;
    private int mask;
    private int size;
    private long[] aHi;
    private long[] aLo;
    private long[] bHi;
    private long[] bLo;
    private int[] aPort;
    private int[] bPort;
    private int[] ipVersion;
    private int[] protocol;
    private int[] vlan;
    private int[] innerVlan;
    private int[] depth;
    /** Keys whose frames are read back from the capture to be split ({@link #readBack}). */
    private boolean[] readBack;
    private boolean[] removed;
    private boolean added;
    /** Numbers of removed keys, handed out again. */
    private int[] free = new int[0];
    private int freeCount;

    /** A table with room for {@code capacity} keys before it grows. */
    FlowKeyTable(final int capacity) {
        final int n = Math.max(16, capacity);
        slots = new int[Integer.highestOneBit(n) << 2];
        Arrays.fill(slots, EMPTY);
        mask = slots.length - 1;
        aHi = new long[n];
        aLo = new long[n];
        bHi = new long[n];
        bLo = new long[n];
        aPort = new int[n];
        bPort = new int[n];
        ipVersion = new int[n];
        protocol = new int[n];
        vlan = new int[n];
        innerVlan = new int[n];
        depth = new int[n];
        readBack = new boolean[n];
        removed = new boolean[n];
    }

    /** The numbers handed out so far: 0 to size() - 1, some of them removed ({@link #isLive}). */
    int size() {
        return size;
    }

    boolean isLive(final int e) {
        return !removed[e];
    }

    /** Whether the last {@link #id} added its key. */
    boolean added() {
        return added;
    }

    /** The number of {@code k}, a new one when it is not in the table yet (or -1 with {@code add} false). */
    int id(final Connection.Key k, final boolean add) {
        added = false;
        int s = slot(k.aHi(), k.aLo(), k.bHi(), k.bLo(), k.aPort(), k.bPort());
        while (true) {
            final int e = slots[s];
            if (e == EMPTY) {
                break;
            }
            if (aLo[e] == k.aLo() && bLo[e] == k.bLo() && aPort[e] == k.aPort() && bPort[e] == k.bPort() && aHi[e] == k.aHi()
                && bHi[e] == k.bHi() && protocol[e] == k.protocol() && ipVersion[e] == k.ipVersion() && vlan[e] == k.vlan()
                && innerVlan[e] == k.innerVlan() && depth[e] == k.depth()) {
                return e;
            }
            s = (s + 1) & mask;
        }
        if (!add) {
            return -1;
        }
        added = true;
        final int e;
        if (freeCount > 0) {
            e = free[--freeCount];
            removed[e] = false;
            readBack[e] = false;
        } else {
            if (size == aHi.length) {
                grow(size * 2);
            }
            e = size++;
        }
        slots[s] = e;
        aHi[e] = k.aHi();
        aLo[e] = k.aLo();
        bHi[e] = k.bHi();
        bLo[e] = k.bLo();
        aPort[e] = k.aPort();
        bPort[e] = k.bPort();
        ipVersion[e] = k.ipVersion();
        protocol[e] = k.protocol();
        vlan[e] = k.vlan();
        innerVlan[e] = k.innerVlan();
        depth[e] = k.depth();
        if ((size - freeCount) * 2 > slots.length) {
            rehash(slots.length * 2);
        }
        return e;
    }

    /** Takes key {@code e} out; its number goes to the next key added. */
    void remove(final int e) {
        int s = slot(aHi[e], aLo[e], bHi[e], bLo[e], aPort[e], bPort[e]);
        while (slots[s] != e) {
            s = (s + 1) & mask;
        }
        // backward-shift deletion: each later key of the probe run that may sit in the hole moves up
        int hole = s;
        int next = (s + 1) & mask;
        while (slots[next] != EMPTY) {
            final int o = slots[next];
            final int home = slot(aHi[o], aLo[o], bHi[o], bLo[o], aPort[o], bPort[o]);
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                slots[hole] = o;
                hole = next;
            }
            next = (next + 1) & mask;
        }
        slots[hole] = EMPTY;
        removed[e] = true;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, Math.max(16, freeCount * 2));
        }
        free[freeCount++] = e;
    }

    /** Key {@code e}. */
    Connection.Key key(final int e) {
        return new Connection.Key(ipVersion[e], protocol[e], aHi[e], aLo[e], aPort[e], bHi[e], bLo[e], bPort[e], vlan[e], innerVlan[e],
            depth[e]);
    }

    int ipVersion(final int e) {
        return ipVersion[e];
    }

    int depth(final int e) {
        return depth[e];
    }

    long aHi(final int e) {
        return aHi[e];
    }

    long bHi(final int e) {
        return bHi[e];
    }

    int protocol(final int e) {
        return protocol[e];
    }

    long aLo(final int e) {
        return aLo[e];
    }

    long bLo(final int e) {
        return bLo[e];
    }

    int aPort(final int e) {
        return aPort[e];
    }

    int bPort(final int e) {
        return bPort[e];
    }

    /** Marks key {@code e} to be read back from the capture. */
    void readBack(final int e) {
        readBack[e] = true;
    }

    boolean isReadBack(final int e) {
        return readBack[e];
    }

    private void grow(final int cap) {
        aHi = Arrays.copyOf(aHi, cap);
        aLo = Arrays.copyOf(aLo, cap);
        bHi = Arrays.copyOf(bHi, cap);
        bLo = Arrays.copyOf(bLo, cap);
        aPort = Arrays.copyOf(aPort, cap);
        bPort = Arrays.copyOf(bPort, cap);
        ipVersion = Arrays.copyOf(ipVersion, cap);
        protocol = Arrays.copyOf(protocol, cap);
        vlan = Arrays.copyOf(vlan, cap);
        innerVlan = Arrays.copyOf(innerVlan, cap);
        depth = Arrays.copyOf(depth, cap);
        readBack = Arrays.copyOf(readBack, cap);
        removed = Arrays.copyOf(removed, cap);
    }

    private void rehash(final int n) {
        slots = new int[n];
        Arrays.fill(slots, EMPTY);
        mask = n - 1;
        for (int e = 0; e < size; e++) {
            if (removed[e]) {
                continue;
            }
            int s = slot(aHi[e], aLo[e], bHi[e], bLo[e], aPort[e], bPort[e]);
            while (slots[s] != EMPTY) {
                s = (s + 1) & mask;
            }
            slots[s] = e;
        }
    }

    private int slot(final long ah, final long al, final long bh, final long bl, final int ap, final int bp) {
        long k = al * 0x9E37_79B9_7F4A_7C15L ^ bl ^ (ah * 31 + bh) ^ ((long) ap << 16 | bp) * 0xC2B2_AE3D_27D4_EB4FL;
        k ^= k >>> 33;
        k *= 0xFF51_AFD7_ED55_8CCDL;
        k ^= k >>> 33;
        return (int) k & mask;
    }
}
