package io.scalpel.index;

import io.scalpel.capture.MappedFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Builds an index whose chunks hold {@code chunkRows} rows instead of
 * {@link IndexBuilder#CHUNK_ROWS}: a small capture then has many chunks, so its flows table has
 * many row groups (one per chunk), for tests of what prunes them from other packages.
 */
public final class SmallChunks {
    private SmallChunks() {
    }

    /** The chunk size that holds {@code frames} frames of one IP layer each (a chunk keeps room for the rows of a frame of many layers). */
    public static int rowsFor(final int frames) {
        return PacketChunk.MAX_ROWS_PER_FRAME + frames - 1;
    }

    /** Builds the index of {@code capture} in {@code index} with chunks of {@code chunkRows} rows. */
    public static void index(final Path capture, final Path index, final int chunkRows) throws IOException {
        new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, chunkRows).build();
    }
}
