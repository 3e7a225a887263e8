package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seek table a scan records of a gzip file of more members than {@link CompressedFile#MAX_SEEK_POINTS},
 * against the member offsets written here: it stays within the limit, every point is where a member
 * really starts (compressed) and the data it starts (decompressed), in ascending order, and a slice
 * that seeks by the table reads the same bytes as the data that was compressed, decompressing a
 * few members for each read instead of the file.
 */
class CompressedSeekTableTest {
    private static final int MEMBERS = CompressedFile.MAX_SEEK_POINTS * 2 + 1_000;
    private static final int MEMBER_DATA = 16;

    @TempDir
    Path dir;

    @Test
    void shouldKeepTrueMemberStartsWithinTheLimitAndSeekByThem() throws IOException {
        final byte[] data = new byte[MEMBERS * MEMBER_DATA];
        new SplittableRandom(15).nextBytes(data);
        final Map<Long, Long> memberAt = new HashMap<>(); // compressed offset of a member -> decompressed offset
        final ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (int m = 0; m < MEMBERS; m++) {
            memberAt.put((long) file.size(), (long) m * MEMBER_DATA);
            try (GZIPOutputStream gz = new GZIPOutputStream(file)) {
                gz.write(data, m * MEMBER_DATA, MEMBER_DATA);
            }
        }
        final Path path = dir.resolve("members.gz");
        Files.write(path, file.toByteArray());

        final CompressedLayout layout;
        try (CompressedFile scan = CompressedFile.open(path, Compression.GZIP, null, true)) {
            long at = 0;
            while (scan.ensure(at, at + 1) > at) {
                at = scan.ensure(at, at + 1);
            }
            assertEquals(data.length, scan.size());
            layout = scan.layout();
        }
        assertEquals(MEMBERS, layout.units());
        assertEquals(data.length, layout.decompressedSize());
        final List<long[]> points = layout.seekTable();
        assertTrue(points.size() <= CompressedFile.MAX_SEEK_POINTS, "points: " + points.size());
        assertTrue(points.size() > CompressedFile.MAX_SEEK_POINTS / 4, "points: " + points.size());
        assertArrayEquals(new long[] {0, 0}, points.get(0));
        for (int i = 0; i < points.size(); i++) {
            final long[] p = points.get(i);
            assertEquals(memberAt.get(p[0]), p[1], "point " + i + " is a member start and the data it starts");
            assertTrue(i == 0 || p[0] > points.get(i - 1)[0] && p[1] > points.get(i - 1)[1], "point " + i + " ascends");
        }

        try (CompressedFile slice = CompressedFile.open(path, Compression.GZIP, layout, false)) {
            final SplittableRandom rnd = new SplittableRandom(16);
            for (int i = 0; i < 200; i++) {
                final int from = rnd.nextInt(data.length - 64);
                final long end = slice.ensure(from, from + 64);
                assertTrue(end >= from + 64);
                final ByteBuffer view = slice.view(slice.segmentOf(from), ByteOrder.BIG_ENDIAN);
                final int at = (int) (from - slice.segmentBase(0));
                final byte[] read = new byte[64];
                view.get(at, read);
                final byte[] expected = new byte[64];
                System.arraycopy(data, from, expected, 0, 64);
                assertArrayEquals(expected, read, "bytes at " + from);
            }
            assertTrue(slice.unitsRead() < MEMBERS / 4, "members decompressed: " + slice.unitsRead());
        }
    }
}
