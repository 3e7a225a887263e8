package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.CaptureBytes;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * pcapng timestamps that do not fit 64-bit nanoseconds since the epoch (a huge count of coarse
 * units, a huge {@code if_tsoffset}) are clamped to the nearest instant that does, with a warning
 * naming the block, never wrapped to another time. The expected instants are computed here with
 * {@link BigInteger}, independently of the reader's arithmetic.
 *
 * <p>Fixtures: one little-endian section, the section header at 0, the interface description
 * block at 28 (with its options), then the packet blocks.
 */
class PcapngTimestampOverflowTest {
    private static final long FIRST_IDB = 28;
    /** The interface description block with one option (if_tsresol or if_tsoffset) and the end of options. */
    private static final long IDB_WITH_TSRESOL = 20 + 8 + 4;
    private static final long FIRST_PACKET = FIRST_IDB + IDB_WITH_TSRESOL;
    private static final long UNSIGNED_MAX = -1L; // 2^64 - 1 as an unsigned 64-bit count

    @TempDir
    Path dir;

    /** The exact instant in ns of {@code units} (unsigned) at {@code tsresol} plus {@code offsetSeconds}, clamped to a long. */
    private static long expected(final long units, final int tsresol, final long offsetSeconds) {
        final BigInteger u = new BigInteger(Long.toUnsignedString(units));
        final int exponent = tsresol & 0x7F;
        final BigInteger unitsPerSecond = (tsresol & 0x80) == 0 ? BigInteger.TEN.pow(exponent) : BigInteger.TWO.pow(exponent);
        final BigInteger ns = u.multiply(BigInteger.valueOf(1_000_000_000L)).divide(unitsPerSecond)
            .add(BigInteger.valueOf(offsetSeconds).multiply(BigInteger.valueOf(1_000_000_000L)));
        return ns.max(BigInteger.valueOf(Long.MIN_VALUE)).min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
    }

    @ParameterizedTest
    @CsvSource({
        "0,   -1",                   // if_tsresol 0: seconds; 2^64 - 1 of them
        "6,   -1",                   // microseconds (the default): 2^64 - 1 of them
        "3,   9223372036854776",     // milliseconds: just past 2262
        "129, -1",                   // 0x80 | 1: half seconds
        "158, -1",                   // 0x80 | 30: 2^-30 s; 2^34 s, past 2262
        "132, 147573952590",         // 0x80 | 4, 1/16 s: 9223372036.875 s, within the last second a long holds but past its end
    })
    void shouldClampAPacketTimestampBeyond2262AndNameItsBlock(final int tsresol, final long units) throws IOException {
        final Path file = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb()
            .idb(1, 0, tsresol, 0)
            .epb(0, units, 4, 4)
            .epb(0, 5, 4, 4)            // a timestamp that fits, after it
            .writeTo(dir.resolve("overflow.pcapng"));
        final long secondPacket = FIRST_PACKET + 36;

        final Read r = readAll(file);

        assertEquals(Long.MAX_VALUE, expected(units, tsresol, 0), "the fixture's timestamp is beyond 64-bit nanoseconds");
        assertEquals(List.of(Long.MAX_VALUE, expected(5, tsresol, 0)), r.timestamps);
        assertEquals(1, r.warnings.size(), r.warnings.toString());
        final String w = r.warnings.get(0);
        assertTrue(w.startsWith("byte offset " + FIRST_PACKET + ": enhanced packet block timestamp "), w);
        assertTrue(w.contains("clamped to 2262-04-11T23:47:16.854775807Z"), w);
        assertFalse(w.contains("byte offset " + secondPacket), w);
    }

    @ParameterizedTest
    @CsvSource({
        "4611686018427387904,  9223372036854775807",  // if_tsoffset 2^62 s: far beyond 2262
        "-4611686018427387904, -9223372036854775808", // -2^62 s: far before 1677
    })
    void shouldClampAHugeTimestampOffsetWithAWarningNamingTheInterfaceBlock(final long offsetSeconds, final long clamped)
        throws IOException {
        final Path file = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb()
            .idb(1, 0, 9, offsetSeconds)   // nanosecond units, the offset under test
            .epb(0, 1_000_000_000L, 4, 4)
            .writeTo(dir.resolve("offset.pcapng"));

        final Read r = readAll(file);

        assertEquals(clamped, expected(1_000_000_000L, 9, offsetSeconds));
        assertEquals(List.of(clamped), r.timestamps);
        assertTrue(r.warnings.stream().anyMatch(w -> w.startsWith("byte offset " + FIRST_IDB + ": interface description block if_tsoffset "
            + offsetSeconds + " s")), r.warnings.toString());
    }

    @Test
    void shouldKeepTheLargestTimestampThatFits() throws IOException {
        final long units = Long.MAX_VALUE; // nanoseconds: exactly the largest instant
        final Path file = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb()
            .idb(1, 0, 9, 0)
            .epb(0, units, 4, 4)
            .writeTo(dir.resolve("largest.pcapng"));

        final Read r = readAll(file);

        assertEquals(List.of(Long.MAX_VALUE), r.timestamps);
        assertEquals(List.of(), r.warnings, "a timestamp that fits is not a warning");
    }

    private record Read(List<Long> timestamps, List<String> warnings) {
    }

    private static Read readAll(final Path file) throws IOException {
        final List<Long> ts = new java.util.ArrayList<>();
        try (CaptureReader r = CaptureReader.open(file)) {
            final Frame f = new Frame();
            while (r.next(f)) {
                ts.add(f.timestampNanos());
            }
            return new Read(ts, List.copyOf(r.warnings()));
        }
    }
}
