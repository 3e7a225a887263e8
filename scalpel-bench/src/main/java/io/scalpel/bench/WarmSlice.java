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
 * given uids, or that many random ones; prints each, the median wall time and the median CPU time
 * of the slicing thread. The rows are a seeded sample
 * taken while the log is read, so a log of millions of rows needs no more heap than a small one.
 */
public final class WarmSlice {
    /** Slices before the timed ones, of other rows of the log. */
    private static final int WARM_UP = 200;

    private WarmSlice() {
    }

    public static void main(final String[] args) throws IOException {
        final Path capture = Path.of(args[0]);
        final Path connLog = Path.of(args[1]);
        final Path outDir = Path.of(args[2]);
        final int count = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        final long seed = args.length > 4 ? Long.parseLong(args[4]) : 1;
        final List<String> uids = args.length > 5 ? List.of(args).subList(5, args.length) : List.of();
        // A seeded uniform sample of the log's rows, kept as they are read (the log may have
        // millions): the warm-up rows, then the timed ones unless uids were given.
        final int sampled = WARM_UP + (uids.isEmpty() ? count : 0);
        final List<ConnRecord> sample = new ArrayList<>(sampled);
        final ConnRecord[] given = new ConnRecord[uids.size()];
        final Random rnd = new Random(seed);
        long seen = 0;
        try (ConnLogReader r = ConnLogReader.open(connLog, ConnLogListener.IGNORE)) {
            for (ConnRecord c = r.next(); c != null; c = r.next()) {
                final int wanted = uids.indexOf(c.uid());
                if (wanted >= 0 && given[wanted] == null) {
                    given[wanted] = c;
                }
                seen++;
                if (sample.size() < sampled) {
                    sample.add(c);
                } else {
                    final long slot = (long) (rnd.nextDouble() * seen);
                    if (slot < sampled) {
                        sample.set((int) slot, c);
                    }
                }
            }
        }
        if (sample.isEmpty()) {
            throw new IllegalArgumentException(connLog + " has no rows");
        }
        final List<ConnRecord> chosen = new ArrayList<>();
        for (int i = 0; i < given.length; i++) {
            if (given[i] == null) {
                throw new IllegalArgumentException(connLog + " has no row with uid " + uids.get(i));
            }
            chosen.add(given[i]);
        }
        if (uids.isEmpty()) {
            chosen.addAll(sample.subList(Math.min(WARM_UP, sample.size()), sample.size()));
        }
        final List<ConnRecord> warmUp = sample.subList(0, Math.min(WARM_UP, sample.size()));
        Files.createDirectories(outDir);
        try (Scalpel scalpel = Scalpel.open(capture)) {
            // warm-up: the same work on other uids
            for (int i = 0; i < WARM_UP; i++) {
                sliceOne(scalpel, warmUp.get(i % warmUp.size()), outDir.resolve("warmup.pcap"));
            }
            final double[] ms = new double[chosen.size()];
            final double[] cpuMs = new double[chosen.size()];
            final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            for (int i = 0; i < chosen.size(); i++) {
                final ConnRecord c = chosen.get(i);
                final long cpu0 = threads.getCurrentThreadCpuTime();
                final long t0 = System.nanoTime();
                final long packets = sliceOne(scalpel, c, outDir.resolve(c.uid() + ".pcap"));
                ms[i] = (System.nanoTime() - t0) / 1e6;
                cpuMs[i] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
                System.out.printf(Locale.ROOT, "%s\t%d packets\t%.3f ms%n", c.uid(), packets, ms[i]);
            }
            Arrays.sort(ms);
            System.out.printf(Locale.ROOT, "median %.3f ms over %d uids (min %.3f, max %.3f)%n",
                ms[ms.length / 2], ms.length, ms[0], ms[ms.length - 1]);
            // The slicing thread's CPU time: what a slice costs when other work shares the cores.
            Arrays.sort(cpuMs);
            System.out.printf(Locale.ROOT, "cpu median %.3f ms of the slicing thread over %d uids (min %.3f, max %.3f)%n",
                cpuMs[cpuMs.length / 2], cpuMs.length, cpuMs[0], cpuMs[cpuMs.length - 1]);
        }
    }

    private static long sliceOne(final Scalpel scalpel, final ConnRecord c, final Path out) throws IOException {
        final long[] offsets = scalpel.select(List.of(c)).union();
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
            return scalpel.write(offsets, null, os, w -> { });
        }
    }
}
