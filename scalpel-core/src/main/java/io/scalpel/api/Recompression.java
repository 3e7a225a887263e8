package io.scalpel.api;

import java.nio.file.Path;

/**
 * What {@link Scalpel#recompress} wrote: a seekable copy of a capture.
 *
 * @param copy     the copy written
 * @param codec    "gzip" or "zstd"
 * @param unit     what the codec calls one independently decompressible piece ("member", "frame")
 * @param units    how many the copy has
 * @param bytesIn  bytes of capture read
 * @param bytesOut bytes of the copy
 */
public record Recompression(Path copy, String codec, String unit, long units, long bytesIn, long bytesOut) {
}
