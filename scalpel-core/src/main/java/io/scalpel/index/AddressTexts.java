package io.scalpel.index;

import io.scalpel.decode.Addresses;
import org.apache.parquet.io.api.Binary;

/**
 * The flows table's {@code src} and {@code dst} values (an address as text, {@link Addresses#format})
 * of the addresses a writer met last: each is formatted once while it stays in this direct-mapped
 * table, instead of once per flow row (a host has many flows, and the text, its {@link Binary} and
 * the string concatenation behind it were a tenth of a writer thread's time). One per writer of a
 * flows table, used by one thread at a time.
 */
final class AddressTexts {
    /** Slots of the table, a power of two: about the hosts a chunk's flows name. */
    static final int SLOTS = 4096;

    private final int[] version = new int[SLOTS];
    private final long[] hi = new long[SLOTS];
    private final long[] lo = new long[SLOTS];
    private final Binary[] text = new Binary[SLOTS];

    /** The text of the address {@code addressHi}:{@code addressLo} of IP version {@code ipVersion}. */
    Binary of(final int ipVersion, final long addressHi, final long addressLo) {
        final int s = slot(ipVersion, addressHi, addressLo);
        final Binary t = text[s];
        if (t != null && version[s] == ipVersion && hi[s] == addressHi && lo[s] == addressLo) {
            return t;
        }
        final Binary formatted = Binary.fromString(Addresses.format(ipVersion, addressHi, addressLo));
        version[s] = ipVersion;
        hi[s] = addressHi;
        lo[s] = addressLo;
        text[s] = formatted;
        return formatted;
    }

    private static int slot(final int ipVersion, final long addressHi, final long addressLo) {
        long k = addressLo * 0x9E37_79B9_7F4A_7C15L ^ addressHi ^ ipVersion;
        k ^= k >>> 33;
        k *= 0xFF51_AFD7_ED55_8CCDL;
        k ^= k >>> 29;
        return (int) k & (SLOTS - 1);
    }
}
