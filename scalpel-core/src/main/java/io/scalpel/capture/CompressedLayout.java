package io.scalpel.capture;

import java.util.List;

/**
 * What an index keeps of a compressed capture: its codec, the size of the capture inside, how
 * many members (gzip) or frames (zstd) it has, and the seek table: the (compressed offset,
 * decompressed offset) of the members or frames where decompression can start, ascending (the
 * first at 0, 0): every member or frame that starts new data, up to {@link CompressedFile#MAX_SEEK_POINTS}
 * of them; beyond, evenly thinned.
 *
 * @param codec            "gzip" or "zstd"
 * @param decompressedSize bytes of the capture inside
 * @param units            members (gzip) or frames (zstd) of the file
 * @param seekTable        pairs {@code [compressed offset, decompressed offset]}
 */
public record CompressedLayout(String codec, long decompressedSize, long units, List<long[]> seekTable) {

    /** Whether a slice can start decompressing elsewhere than at the start of the file. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean seekable() {
        return seekTable != null && seekTable.size() > 1;
    }

    /** One line for stderr: which case applies, and what a slice therefore decompresses. */
    public String describe() {
        final Compression c = Compression.of(codec);
        if (!seekable()) {
            return "single " + codec + " stream"
                + "; slicing decompresses from the start up to the last packet needed"
                + " (`scalpel index --recompress OUT` writes a seekable copy)";
        }
        return "seekable: " + units + " " + codec + " " + c.unit() + "s, " + seekTable.size()
            + " seek points; slicing decompresses only the " + c.unit() + "s holding the packets needed";
    }
}
