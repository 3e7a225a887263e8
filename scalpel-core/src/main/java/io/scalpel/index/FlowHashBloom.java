package io.scalpel.index;

/**
 * Parquet's split-block bloom filter, tested for one {@code flow_hash} without parquet-java: the
 * value's XXH64 (seed 0, of its eight little-endian bytes) picks one block of 32 bytes
 * ({@link #block}), and the value may be in the row group when the eight bits its hash sets in that
 * block's eight words are all set ({@link #mightContain}). A lookup reads that block alone.
 */
final class FlowHashBloom {
    /** Bytes of a block: eight 32-bit words. */
    static final int BLOCK_BYTES = 32;
    private static final int[] SALT = {0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31};
    private static final long PRIME1 = 0x9E3779B185EBCA87L;
    private static final long PRIME2 = 0xC2B2AE3D27D4EB4FL;
    private static final long PRIME3 = 0x165667B19E3779F9L;
    private static final long PRIME4 = 0x85EBCA77C2B2AE63L;
    private static final long PRIME5 = 0x27D4EB2F165667C5L;
    private static final int LONG_BYTES = 8;

    private FlowHashBloom() {
    }

    /** XXH64 with seed 0 of {@code value}'s eight little-endian bytes: the hash Parquet's bloom filters take of an INT64. */
    static long hash(final long value) {
        long h = PRIME5 + LONG_BYTES;
        long k = value * PRIME2;
        k = Long.rotateLeft(k, 31) * PRIME1;
        h ^= k;
        h = Long.rotateLeft(h, 27) * PRIME1 + PRIME4;
        h ^= h >>> 33;
        h *= PRIME2;
        h ^= h >>> 29;
        h *= PRIME3;
        h ^= h >>> 32;
        return h;
    }

    /** The block of a filter of {@code bytes} bytes that holds {@code hash}'s bits. */
    static int block(final long hash, final int bytes) {
        return (int) (((hash >>> 32) * (bytes / BLOCK_BYTES)) >>> 32);
    }

    /** Whether the block {@code in[at, at + 32)} has every bit of {@code hash} set. */
    static boolean mightContain(final byte[] in, final int at, final long hash) {
        final int key = (int) hash;
        for (int i = 0; i < SALT.length; i++) {
            final int bit = (key * SALT[i]) >>> 27;
            final int p = at + i * 4;
            final int word = (in[p] & 0xFF) | (in[p + 1] & 0xFF) << 8 | (in[p + 2] & 0xFF) << 16 | (in[p + 3] & 0xFF) << 24;
            if ((word & (1 << bit)) == 0) {
                return false;
            }
        }
        return true;
    }
}
