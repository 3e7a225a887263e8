package io.scalpel.bench;

import io.scalpel.api.CaptureFile;
import io.scalpel.api.Scalpel;
import io.scalpel.api.SliceListener;
import io.scalpel.api.SliceOutcome;
import io.scalpel.api.SliceRequest;
import io.scalpel.api.Slices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times query-expression slices through the Java API with the capture and its index kept open: each
 * measurement runs {@code slice --query EXPR -w OUT} as {@link Slices#run} does (the flows table
 * read, the packet rows of the flows it accepts, each frame confirmed and written).
 *
 * <p>Usage: {@code WarmQuery CAPTURE OUT_DIR RUNS EXPR...}: each expression is sliced once to warm up,
 * then all of them in turn {@code RUNS} times; prints each run, then per expression the frames, the
 * median wall time and the median CPU time of the slicing thread.
 */
public final class WarmQuery {
    private WarmQuery() {
    }

    public static void main(final String[] args) throws IOException {
        final Path capture = Path.of(args[0]);
        final Path outDir = Path.of(args[1]);
        final int runs = Integer.parseInt(args[2]);
        final String[] queries = Arrays.copyOfRange(args, 3, args.length);
        Files.createDirectories(outDir);
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try (CaptureFile captures = CaptureFile.open(capture, Scalpel.Options.defaults())) {
            final long[] frames = new long[queries.length];
            for (int q = 0; q < queries.length; q++) {
                frames[q] = slice(captures, queries[q], outDir.resolve("q" + q + ".pcap")).packets();
            }
            final double[][] ms = new double[queries.length][runs];
            final double[][] cpuMs = new double[queries.length][runs];
            for (int r = 0; r < runs; r++) {
                for (int q = 0; q < queries.length; q++) {
                    final long cpu0 = threads.getCurrentThreadCpuTime();
                    final long t0 = System.nanoTime();
                    final SliceOutcome o = slice(captures, queries[q], outDir.resolve("q" + q + ".pcap"));
                    ms[q][r] = (System.nanoTime() - t0) / 1e6;
                    cpuMs[q][r] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
                    if (o.packets() != frames[q]) {
                        throw new IllegalStateException(queries[q] + ": " + o.packets() + " frames, first run " + frames[q]);
                    }
                    System.out.printf(Locale.ROOT, "%s\t%d frames\t%.3f ms\t%.3f ms cpu%n", queries[q], o.packets(), ms[q][r], cpuMs[q][r]);
                }
            }
            for (int q = 0; q < queries.length; q++) {
                Arrays.sort(ms[q]);
                Arrays.sort(cpuMs[q]);
                System.out.printf(Locale.ROOT, "'%s': %d frames, median %.3f ms (min %.3f, max %.3f), cpu median %.3f ms over %d runs%n",
                    queries[q], frames[q], ms[q][runs / 2], ms[q][0], ms[q][runs - 1], cpuMs[q][runs / 2], runs);
            }
        }
    }

    private static SliceOutcome slice(final CaptureFile captures, final String query, final Path out) throws IOException {
        return Slices.run(captures, SliceRequest.builder().query(query).write(out).build(), SliceListener.QUIET);
    }
}
