package io.scalpel.bench;

import io.scalpel.api.Scalpel;
import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Times slicing through the Java API with the index opened and the conn.log parsed before
 * timing: each measurement selects one uid's packets and writes its extract (no fsync).
 *
 * <p>Usage: {@code WarmSlice CAPTURE CONN.LOG OUT_DIR [UIDS_TO_TIME] [SEED] [UID...]}: times the
 * given uids, or that many random ones; prints each and the median.
 */
public final class WarmSlice {
    private WarmSlice() {
    }

    public static void main(final String[] args) throws IOException {
        final Path capture = Path.of(args[0]);
        final Path connLog = Path.of(args[1]);
        final Path outDir = Path.of(args[2]);
        final int count = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        final long seed = args.length > 4 ? Long.parseLong(args[4]) : 1;
        final List<ConnRecord> rows = new ArrayList<>();
        try (ConnLogReader r = ConnLogReader.open(connLog, ConnLogListener.IGNORE)) {
            for (ConnRecord c = r.next(); c != null; c = r.next()) {
                rows.add(c);
            }
        }
        final List<ConnRecord> chosen = new ArrayList<>();
        if (args.length > 5) {
            for (int i = 5; i < args.length; i++) {
                final String uid = args[i];
                chosen.add(rows.stream().filter(c -> c.uid().equals(uid)).findFirst().orElseThrow());
            }
        } else {
            final Random rnd = new Random(seed);
            for (int i = 0; i < count; i++) {
                chosen.add(rows.get(rnd.nextInt(rows.size())));
            }
        }
        Files.createDirectories(outDir);
        try (Scalpel scalpel = Scalpel.open(capture)) {
            // warm-up: the same work on other uids
            final Random warm = new Random(seed + 1);
            for (int i = 0; i < 200; i++) {
                sliceOne(scalpel, rows.get(warm.nextInt(rows.size())), outDir.resolve("warmup.pcap"));
            }
            final double[] ms = new double[chosen.size()];
            for (int i = 0; i < chosen.size(); i++) {
                final ConnRecord c = chosen.get(i);
                final long t0 = System.nanoTime();
                final long packets = sliceOne(scalpel, c, outDir.resolve(c.uid() + ".pcap"));
                ms[i] = (System.nanoTime() - t0) / 1e6;
                System.out.printf(Locale.ROOT, "%s\t%d packets\t%.3f ms%n", c.uid(), packets, ms[i]);
            }
            Arrays.sort(ms);
            System.out.printf(Locale.ROOT, "median %.3f ms over %d uids (min %.3f, max %.3f)%n",
                ms[ms.length / 2], ms.length, ms[0], ms[ms.length - 1]);
        }
    }

    private static long sliceOne(final Scalpel scalpel, final ConnRecord c, final Path out) throws IOException {
        final long[] offsets = scalpel.select(List.of(c)).union();
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
            return scalpel.write(offsets, null, os, w -> { });
        }
    }
}
