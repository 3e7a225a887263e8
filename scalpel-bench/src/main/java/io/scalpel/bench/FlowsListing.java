package io.scalpel.bench;

import io.scalpel.api.CaptureFile;
import io.scalpel.api.Flows;
import io.scalpel.api.Scalpel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Lists a capture's connections through the Java API ({@link Flows#each}, in time order), the
 * capture and its index opened once, and tells how many, the time of each listing, and the most
 * heap left in use after a collection (the peak of the heap pools' usage after their collections).
 *
 * <p>Usage: {@code FlowsListing CAPTURE INDEX_DIR RUNS}.
 */
public final class FlowsListing {
    private FlowsListing() {
    }

    public static void main(final String[] args) throws IOException {
        final Path capture = Path.of(args[0]);
        final Path index = Path.of(args[1]);
        final int runs = Integer.parseInt(args[2]);
        try (CaptureFile captures = CaptureFile.open(capture, Scalpel.Options.defaults().withIndex(index))) {
            for (int r = 0; r < runs; r++) {
                final long[] sum = {0};
                final long t0 = System.nanoTime();
                final long n = Flows.each(captures, null, 0, Flows.Sort.TIME, Long.MAX_VALUE, row -> sum[0] += row.packets());
                System.out.printf(Locale.ROOT, "run %d: %d connections, %d packets, %.3f s%n", r, n, sum[0], (System.nanoTime() - t0) / 1e9);
            }
        }
        long live = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                live += pool.getCollectionUsage().getUsed();
            }
        }
        System.out.printf(Locale.ROOT, "heap in use after the last collections: %.1f MiB%n", live / 1048576.0);
    }
}
