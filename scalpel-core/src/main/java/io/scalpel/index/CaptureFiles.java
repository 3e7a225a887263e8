package io.scalpel.index;

import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.CompressedFile;
import io.scalpel.capture.CompressedLayout;
import io.scalpel.capture.Compression;
import io.scalpel.capture.MappedFile;
import java.io.IOException;
import java.nio.file.Path;

/** Opens an indexed capture for reads at the offsets its index holds: mapped, or decompressed with the index's seek table. */
public final class CaptureFiles {
    private CaptureFiles() {
    }

    /** The capture {@code manifest} describes: its indexed prefix mapped, or the compressed file with its recorded layout. */
    public static CaptureSource open(final Path capture, final IndexManifest manifest) throws IOException {
        final CompressedLayout layout = manifest.compression();
        if (layout == null) {
            return new MappedFile(capture, manifest.fingerprint().length(), MappedFile.DEFAULT_SEGMENT_SIZE);
        }
        return CompressedFile.open(capture, Compression.of(layout.codec()), layout, false);
    }
}
