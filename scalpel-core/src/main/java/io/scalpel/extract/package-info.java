/**
 * Writing selected frames as a capture: the last stage, after {@code slice} has selected them.
 *
 * <p>{@link io.scalpel.extract.ExtractWriter#create} chooses one strategy per pair of capture and
 * output formats: pcap copied ({@code PcapCopy}), pcapng copied with the blocks that still apply
 * ({@code PcapngCopy}, with {@code KeptSecrets} and {@link io.scalpel.extract.TlsKeyLog} for
 * {@code --keep-secrets}), pcapng to pcap ({@code PcapngToPcap}) and pcap to pcapng
 * ({@code PcapToPcapng}). {@link io.scalpel.extract.MergedExtract} merges the frames of a capture
 * set's members by timestamp into one capture. Whatever is written rather than copied is laid out
 * by the two encoders, {@code PcapEncoder} and {@code PcapngEncoder}, which hold every header and
 * block layout, magic number, block type and option code the extracts write.
 *
 * The output side of every run is here too: {@link io.scalpel.extract.AtomicOutput} and
 * {@link io.scalpel.extract.AtomicOutputBatch} commit files whole, {@link io.scalpel.extract.RunFiles}
 * refuses an output that is an input, and {@link io.scalpel.extract.Recompressor} writes
 * {@code index --recompress}'s seekable copy.
 *
 * <p>Entry points: {@link io.scalpel.extract.ExtractWriter#create},
 * {@link io.scalpel.extract.MergedExtract}, {@link io.scalpel.extract.AtomicOutput}.
 *
 * <p>Uses {@code capture} and {@code decode} only; the order allows {@code index} and {@code zeek}
 * too (docs/design.md, "One-way data flow").
 */
package io.scalpel.extract;
