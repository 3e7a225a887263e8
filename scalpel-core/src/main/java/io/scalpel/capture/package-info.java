/**
 * Reading captures: the first stage, bytes to frames.
 *
 * <p>A capture's bytes are a {@link io.scalpel.capture.CaptureSource}: a plain file mapped or
 * read through buffers ({@link io.scalpel.capture.MappedFile}), or a gzip or zstd file
 * decompressed into a moving window ({@link io.scalpel.capture.CompressedFile}, with its
 * {@code SeekTable} and one {@code Decompressor} per codec). A
 * {@link io.scalpel.capture.CaptureReader} ({@link io.scalpel.capture.PcapReader},
 * {@link io.scalpel.capture.PcapngReader}) reads the records into one reused
 * {@link io.scalpel.capture.Frame}, in file order or at a known offset. A malformed capture is a
 * {@link io.scalpel.capture.CaptureFormatException} carrying the file and the byte offset; one that
 * changed under its reader, a {@link io.scalpel.capture.CaptureChangedException}.
 *
 * <p>Entry points: {@link io.scalpel.capture.CaptureReader#open}, {@link io.scalpel.capture.Frame}.
 *
 * <p>Depends on no other package of Scalpel (docs/design.md, "One-way data flow").
 */
package io.scalpel.capture;
