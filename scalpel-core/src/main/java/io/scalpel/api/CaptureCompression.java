package io.scalpel.api;

import io.scalpel.capture.CompressedLayout;

/**
 * How a gzip or zstd capture is laid out, as its index recorded it.
 *
 * @param codec            "gzip" or "zstd"
 * @param seekable         whether a slice can start decompressing elsewhere than at the start of the file
 * @param units            members (gzip) or frames (zstd) of the file
 * @param seekPoints       members or frames where decompression can start
 * @param decompressedSize bytes of the capture inside
 * @param description      one line for a person: which case applies, and what a slice therefore decompresses
 */
public record CaptureCompression(String codec, boolean seekable, long units, int seekPoints, long decompressedSize,
                                 String description) {

    static CaptureCompression of(final CompressedLayout layout) {
        return layout == null ? null : new CaptureCompression(layout.codec(), layout.seekable(), layout.units(),
            layout.seekTable() == null ? 0 : layout.seekTable().size(), layout.decompressedSize(), layout.describe());
    }
}
