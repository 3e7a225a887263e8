package io.scalpel.index;

import java.util.Arrays;

/**
 * The addresses of one chunk's flows and the number of flow ends at each, numbered by first
 * appearance: open addressing over primitive arrays, for {@link FlowAccumulator#renumber}.
 */
final class AddressCounts {
    private static final int EMPTY = -1;

    private final int[] slots;
    private final int mask;
    private final int[] version;
    private final long[] hi;
    private final long[] lo;
    private final int[] counts;
    private int size;

    /** For the addresses of {@code flows} flows: at most two each. */
    AddressCounts(final int flows) {
        final int cap = Math.max(2, 2 * flows);
        final int n = Integer.highestOneBit(Math.max(16, 2 * cap) - 1) << 1;
        slots = new int[n];
        Arrays.fill(slots, EMPTY);
        mask = n - 1;
        version = new int[cap];
        hi = new long[cap];
        lo = new long[cap];
        counts = new int[cap];
    }

    /** Counts one more flow end at the address. */
    void add(final int ipVersion, final long addressHi, final long addressLo) {
        int s = slot(ipVersion, addressHi, addressLo);
        while (slots[s] != EMPTY) {
            final int a = slots[s];
            if (lo[a] == addressLo && hi[a] == addressHi && version[a] == ipVersion) {
                counts[a]++;
                return;
            }
            s = (s + 1) & mask;
        }
        final int a = size++;
        slots[s] = a;
        version[a] = ipVersion;
        hi[a] = addressHi;
        lo[a] = addressLo;
        counts[a] = 1;
    }

    /** The number of an address {@link #add added} before: the order of its first appearance. */
    int find(final int ipVersion, final long addressHi, final long addressLo) {
        int s = slot(ipVersion, addressHi, addressLo);
        while (true) {
            final int a = slots[s];
            if (lo[a] == addressLo && hi[a] == addressHi && version[a] == ipVersion) {
                return a;
            }
            s = (s + 1) & mask;
        }
    }

    /** Flow ends at address number {@code a}. */
    int count(final int a) {
        return counts[a];
    }

    /** Distinct addresses added. */
    int size() {
        return size;
    }

    private int slot(final int ipVersion, final long addressHi, final long addressLo) {
        long k = addressHi * 0x9E37_79B9_7F4A_7C15L ^ addressLo ^ ((long) ipVersion << 59);
        k ^= k >>> 33;
        k *= 0xFF51_AFD7_ED55_8CCDL;
        k ^= k >>> 33;
        return (int) k & mask;
    }
}
