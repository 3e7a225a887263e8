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
 * <p>Uses {@code capture} and {@code decode} only.
 */
package io.scalpel.extract;
