package io.scalpel.bench;

import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Checks that one capture holds every frame of another (same timestamp, lengths and bytes,
 * counted with multiplicity): that {@code tcpdump}'s filtered output contains each frame of
 * Scalpel's slice, whatever their formats.
 *
 * <p>Usage: {@code ExtractContains SUPERSET SUBSET}; prints both counts and what is missing,
 * exits 0 when every frame is there, 1 otherwise.
 */
public final class ExtractContains {
    private ExtractContains() {
    }

    public static void main(final String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ExtractContains SUPERSET SUBSET");
            System.exit(2);
        }
        final Map<Key, Integer> superset = new HashMap<>();
        long supersetFrames = 0;
        try (CaptureReader r = CaptureReader.open(Path.of(args[0]))) {
            final Frame f = new Frame();
            while (r.next(f)) {
                superset.merge(Key.of(f), 1, Integer::sum);
                supersetFrames++;
            }
        }
        long subsetFrames = 0;
        long missing = 0;
        try (CaptureReader r = CaptureReader.open(Path.of(args[1]))) {
            final Frame f = new Frame();
            while (r.next(f)) {
                subsetFrames++;
                final Key k = Key.of(f);
                final Integer n = superset.get(k);
                if (n == null) {
                    if (missing++ < 5) {
                        System.out.printf(Locale.ROOT, "missing from %s: frame %d of %s (byte offset %d, ts %d ns, %d bytes)%n",
                            args[0], subsetFrames, args[1], f.recordOffset(), f.timestampNanos(), f.capturedLength());
                    }
                } else if (n == 1) {
                    superset.remove(k);
                } else {
                    superset.put(k, n - 1);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s holds %d of the %d frames of %s (%d frames in all)%n",
            args[0], subsetFrames - missing, subsetFrames, args[1], supersetFrames);
        System.exit(missing == 0 ? 0 : 1);
    }

    /** A frame's identity: timestamp, lengths and the bytes themselves. */
    private record Key(long ts, int caplen, int origlen, ByteBuffer bytes) {
        static Key of(final Frame f) {
            final byte[] copy = new byte[f.capturedLength()];
            f.buffer().get(f.dataOffset(), copy, 0, copy.length);
            return new Key(f.timestampNanos(), f.capturedLength(), f.originalLength(), ByteBuffer.wrap(copy));
        }
    }
}
