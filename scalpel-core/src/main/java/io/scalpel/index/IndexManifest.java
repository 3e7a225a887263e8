package io.scalpel.index;

import io.scalpel.capture.PcapngBlock;
import java.nio.file.Path;
import java.util.List;

/**
 * The index's versioned description of itself and of the capture it indexes
 * ({@code manifest.json}, written last: its presence commits the index).
 *
 * @param format               always {@link #FORMAT}
 * @param version              {@link #VERSION} of the layout (tables, columns, meanings)
 * @param writer               the scalpel version that wrote it
 * @param captureName          file name of the capture when indexed
 * @param captureFormat        pcap or pcapng
 * @param fingerprint          what the indexed bytes were
 * @param byteOrder            classic pcap: "little" or "big"
 * @param nanosecond           classic pcap: nanosecond magic
 * @param snaplen              classic pcap: header snaplen
 * @param linkTypeField        classic pcap: header link-type field (FCS bits included)
 * @param linkTypes            every link type seen
 * @param pcapngBlocks         pcapng: sections, interfaces and other non-packet blocks, in file order
 * @param packets              frames indexed
 * @param flows                distinct flow keys (per chunk: rows of flows.parquet)
 * @param firstTimestampNanos  smallest frame timestamp (Long.MAX_VALUE if no frames)
 * @param lastTimestampNanos   largest frame timestamp (Long.MIN_VALUE if no frames)
 * @param truncatedTailOffset  offset of an incomplete last record, or -1
 * @param warnings             oddities the reader normalised
 * @param maxFragmentLagNanos  largest time by which a fragment precedes its datagram's completion
 *                             (lookups by join time read that much earlier)
 * @param outerRows            rows of the packets table for encapsulating IP layers: the table has
 *                             {@code packets + outerRows} rows
 * @param parts                the part files of both tables, in capture order: one per scan that added rows
 * @param resume               where a scan of the grown capture continues, and the reader state it needs
 * @param compression          a gzip or zstd capture: its codec, decompressed size and seek table; absent
 *                             (null) for a plain capture. Offsets elsewhere are in the decompressed capture
 * @param lookup               the lookup file ({@code lookup.bin}): where a flow-hash lookup finds the pages it reads
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record IndexManifest(
    String format,
    int version,
    String writer,
    String captureName,
    String captureFormat,
    CaptureFingerprint fingerprint,
    String byteOrder,
    Boolean nanosecond,
    Integer snaplen,
    Integer linkTypeField,
    List<Integer> linkTypes,
    List<PcapngBlock> pcapngBlocks,
    long packets,
    long flows,
    long firstTimestampNanos,
    long lastTimestampNanos,
    long truncatedTailOffset,
    long warnings,
    long maxFragmentLagNanos,
    long outerRows,
    List<Part> parts,
    Resume resume,
    io.scalpel.capture.CompressedLayout compression,
    LookupFile lookup) implements ManifestText.Versioned {

    public static final String FORMAT = "scalpel-index";
    /**
     * 2: each table is a directory of part files, and the manifest lists them and the resume point;
     * rows for the encapsulating IP layers of tunnelled frames; {@code depth} and {@code community_id}
     * in the flows table. 3: the rows of each batch of the packets table are written by chunk and
     * flow (then capture order), no longer in capture order. 4: the index proves itself: every
     * Parquet page carries its CRC, the manifest gives each part file's size and digests
     * ({@link PartFile}) and ends with a digest of itself. 5: the tables' timestamps are in
     * microseconds for a classic pcap of microsecond resolution ({@link TimestampUnit}), the
     * smaller index that gives. 6: the index is under 1 % of a capture shaped like real traffic:
     * the Community ID is computed from the flow key when read instead of stored, the captured
     * length is read from the record's header instead of stored, the flows table's ports are
     * null when the key lacks them, and bloom filters on addresses and ports let a query skip
     * the flows table's row groups. 7: the same tables, with the keys Zeek gives: a frame of three
     * or more VLAN tags has its last tag as the inner VLAN, and an IPv6 packet's addresses follow
     * a Mobile IPv6 home address (type 2 routing header, Home Address option) and a routing
     * header after one of another type; a version 6 index may hold other keys for such frames.
     * 8: the flows table's {@code facts} column ({@link FlowFacts}) says where a key's
     * connections may split inside a row, so that {@code scalpel flows} answers from the index.
     * 9: the lookup file ({@link io.scalpel.index.LookupFile}, {@code lookup.bin}): a flow-hash lookup
     * reads where the pages it needs are from it instead of the parts' footers.
     */
    public static final int VERSION = 9;

    /**
     * One part file of each table ({@code packets/FILE} and {@code flows/FILE}): the rows one scan
     * added, or the open tail it left.
     *
     * @param file        file name in both table directories ({@link IndexSchema#partFile})
     * @param packets     rows in {@code packets/FILE}
     * @param flows       rows in {@code flows/FILE}
     * @param packetsFile size and digests of {@code packets/FILE}
     * @param flowsFile   size and digests of {@code flows/FILE}
     */
    public record Part(String file, long packets, long flows, PartFile packetsFile, PartFile flowsFile) {
    }

    /**
     * What one Parquet part file must be: its size, checked when the index is opened; the digest
     * of its footer region, checked when the file is first read; the digest of all its bytes,
     * checked by {@code scalpel index} (before it keeps or extends an index), {@code index --verify}
     * and {@code slice --reindex}. Pages carry their own CRCs, checked as they are read.
     *
     * @param size         bytes of the file
     * @param footerOffset where its metadata starts, after the last column chunk: page indexes,
     *                     bloom filters and the Parquet footer, to the end of the file
     * @param footerSha256 hex SHA-256 of the bytes from {@code footerOffset} to the end
     * @param sha256       hex SHA-256 of the whole file
     */
    public record PartFile(long size, long footerOffset, String footerSha256, String sha256) {
    }

    /**
     * The lookup file ({@code lookup.bin}): what it must be. Its size and CRC32C are checked when a
     * lookup first reads it (the CRC32C is also in the file's header, over its body); the SHA-256
     * of all its bytes by {@code scalpel index} (before it keeps or extends an index),
     * {@code index --verify} and {@code slice --reindex}, as the parts' digests are.
     *
     * @param size   bytes of the file
     * @param crc32c eight hex digits: the CRC32C (Castagnoli) of the file's body, after its 16-byte header
     * @param sha256 hex SHA-256 of the whole file
     */
    public record LookupFile(long size, String crc32c, String sha256) {
    }

    /**
     * Where a scan of the capture, once it has grown, picks up.
     *
     * @param offset             the end of the last whole record (or block) indexed: the next scan starts here
     * @param nextChunk          the chunk number the next scan's first flow table gets
     * @param lastTimestampNanos pcapng: the timestamp of the last packet block read, which a following
     *                           simple packet block (it has none) takes; 0 for pcap
     * @param nextPart           the number of the next part file (part names are never used twice)
     * @param openPart           the part holding the open tail, or null: the rows from the first fragment
     *                           of an IP datagram still incomplete at the end of the scan. Its fragments
     *                           are resolved as at the end of a capture; the next scan takes the part back
     *                           and resolves them again when the rest of their datagram arrives
     * @param openFragments      record offsets of those fragments, ascending
     * @param lastRecord         the last record indexed (null when none): before extending, it must still
     *                           be there, with the same timestamp and captured length
     */
    public record Resume(long offset, int nextChunk, long lastTimestampNanos, int nextPart, String openPart,
                         List<Long> openFragments, LastRecord lastRecord) {
    }

    /**
     * The last record indexed.
     *
     * @param offset          its byte offset
     * @param timestampNanos  its timestamp (for a pcapng simple packet block, the one it was given)
     * @param capturedLength  its captured length
     */
    public record LastRecord(long offset, long timestampNanos, int capturedLength) {
    }

    public byte[] toJson() {
        return ManifestJson.write(this);
    }

    /**
     * Reads and checks a manifest.
     *
     * @throws IndexException when it is unreadable, damaged (its digest), of another format or of
     *                        an unknown version
     */
    public static IndexManifest read(final Path file) throws IndexException {
        return read(file, "rebuild it with `scalpel index CAPTURE`");
    }

    /**
     * Reads and checks a manifest; refusals end with {@code advice} (what rebuilds the index).
     *
     * <p>Other versions are refused as {@link IndexException.Kind#VERSION} (those before 4 carry no digests):
     * {@code scalpel index CAPTURE} (or {@code slice --reindex}) replaces such an index with a new one.
     */
    public static IndexManifest read(final Path file, final String advice) throws IndexException {
        final IndexManifest m = ManifestText.read(file, IndexManifest.class, "index manifest", advice,
            FORMAT, VERSION, "index format");
        String lacks = m.fingerprint() == null ? "fingerprint" : m.parts() == null ? "parts"
            : m.resume() == null || m.resume().openFragments() == null ? "resume" : m.linkTypes() == null ? "link_types"
            : m.lookup() == null || m.lookup().crc32c() == null || m.lookup().sha256() == null ? "lookup" : null;
        if (lacks == null) {
            for (Part p : m.parts()) {
                if (p == null || p.file() == null || p.packetsFile() == null || p.flowsFile() == null
                    || !IndexSchema.isPartFile(p.file())) {
                    lacks = "a valid part (file name, packets_file and flows_file)";
                    break;
                }
            }
        }
        if (lacks != null) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": index manifest lacks " + lacks, advice);
        }
        return m;
    }
}
