package io.scalpel.api;

import io.scalpel.extract.AtomicOutput;
import io.scalpel.extract.AtomicOutputBatch;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * How the API writes files: one file that appears under its name only when complete
 * ({@link AtomicOutput}), or several in one directory committed together
 * ({@link AtomicOutputBatch}: every file is written and synced under a temporary name before any
 * is renamed into place). The callers check their outputs against what the run reads first
 * ({@link io.scalpel.extract.RunFiles}).
 */
final class AtomicWrites {
    /** Writes one file's content to a stream; returns what it counts (frames, rows). */
    @FunctionalInterface
    interface Content {
        long writeTo(OutputStream out) throws IOException;
    }

    /** Writes the content of file {@code i} of several to a stream; returns what it counts. */
    @FunctionalInterface
    interface Contents {
        long writeTo(int i, OutputStream out) throws IOException;
    }

    private AtomicWrites() {
    }

    /** Writes {@code output} atomically; returns what {@code content} counted. */
    static long write(final Path output, final Content content) throws IOException {
        try (AtomicOutput out = AtomicOutput.open(output)) {
            final long n = content.writeTo(out.stream());
            out.commit();
            return n;
        }
    }

    /**
     * Writes file {@code i} of {@code contents} to {@code outputs[i]} (null: none) for each of the
     * first {@code count}, all in {@code directory}, committed together: when one fails, none is
     * renamed into place.
     *
     * @return what each content counted (0 for a file not written)
     */
    static long[] writeEach(final int count, final Path[] outputs, final Path directory, final Contents contents)
        throws IOException {
        final long[] counts = new long[count];
        try (AtomicOutputBatch batch = new AtomicOutputBatch(directory)) {
            for (int i = 0; i < count; i++) {
                if (outputs[i] == null) {
                    continue;
                }
                final AtomicOutput out = batch.open(outputs[i]);
                try {
                    counts[i] = contents.writeTo(i, out.stream());
                    batch.done(out);
                } catch (IOException | RuntimeException e) {
                    out.close();
                    throw e;
                }
            }
            batch.commit();
        }
        return counts;
    }
}
