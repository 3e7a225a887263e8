package io.scalpel.cli;

import io.scalpel.api.CaptureCompression;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the commands say about a gzip or zstd capture: on stderr, and in their --json summaries. */
final class CompressionReport {
    private CompressionReport() {
    }

    /** The stderr line: which case applies (seekable or single stream). */
    static String line(final Path capture, final CaptureCompression layout) {
        return "scalpel: " + capture.getFileName() + ": " + layout.description();
    }

    /**
     * The {@code compression} object of a --json summary.
     *
     * @param unitsRead members or frames a slice decompressed, or -1 (index: left out)
     */
    static Map<String, Object> json(final CaptureCompression layout, final long unitsRead) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("codec", layout.codec());
        m.put("seekable", layout.seekable());
        m.put("members", layout.units());
        m.put("seek_points", layout.seekPoints());
        m.put("decompressed_bytes", layout.decompressedSize());
        if (unitsRead >= 0) {
            m.put("members_read", unitsRead);
        }
        return m;
    }
}
