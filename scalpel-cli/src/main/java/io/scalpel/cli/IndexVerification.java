package io.scalpel.cli;

import io.scalpel.api.CaptureSet;
import io.scalpel.api.Scalpel;
import io.scalpel.index.CaptureSetManifest;
import io.scalpel.index.IndexDirectory;
import io.scalpel.index.IndexFileCheck;
import io.scalpel.index.PacketIndex;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code scalpel index --verify CAPTURE}: reads every byte of the index (every page CRC, every
 * part's digests, the manifest's digest) and reports each file on stdout, one line each (or one
 * JSON object with {@code --json}); a damaged index is named on stderr with what rebuilds it,
 * and the exit code is 3.
 */
final class IndexVerification {
    private IndexVerification() {
    }

    /** Verifies the index of one capture or capture set; returns whether every file is intact. */
    static boolean run(final Path capture, final Path index, final boolean json, final PrintWriter out, final PrintWriter err)
        throws IOException {
        final boolean set = Files.isDirectory(capture);
        final Path dir = (index != null ? index
            : set ? io.scalpel.index.CaptureSetBuilder.defaultFor(capture) : IndexDirectory.defaultFor(capture)).toAbsolutePath();
        final List<IndexFileCheck> checks = set ? CaptureSet.verify(capture, index) : Scalpel.verify(capture, index);
        IndexFileCheck first = null;
        int damaged = 0;
        long bytes = 0;
        for (IndexFileCheck c : checks) {
            if (!c.intact()) {
                damaged++;
                first = first == null ? c : first;
            }
            bytes += c.file().equals(capture.toString()) ? 0 : Math.max(0, c.bytes());
        }
        if (json) {
            final List<Map<String, Object>> files = new ArrayList<>();
            for (IndexFileCheck c : checks) {
                final Map<String, Object> f = new LinkedHashMap<>();
                f.put("file", c.file());
                f.put("bytes", c.bytes());
                f.put("intact", c.intact());
                f.put("problem", c.problem());
                files.add(f);
            }
            final Map<String, Object> s = new LinkedHashMap<>();
            s.put(set ? "capture_set" : "capture", capture.toString());
            s.put("index", dir.toString());
            s.put("intact", damaged == 0);
            s.put("files", files);
            out.println(Json.object(s));
        } else {
            out.printf(Locale.ROOT, "%s %s: %d files, %d bytes of index%n", damaged == 0 ? "intact" : "damaged", dir,
                checks.size(), bytes);
            for (IndexFileCheck c : checks) {
                out.printf(Locale.ROOT, "  %-8s %s%s%n", c.intact() ? "ok" : "DAMAGED", c.file(),
                    c.intact() ? (c.bytes() >= 0 ? " (" + c.bytes() + " bytes)" : "") : ": " + c.problem());
            }
        }
        out.flush();
        if (first != null) {
            err.println("scalpel: index " + dir + ": " + damaged + " of " + checks.size() + " files damaged, first "
                + first.file() + ": " + first.problem() + "; "
                + (set ? CaptureSetManifest.rebuildAdvice(capture, index) : PacketIndex.rebuildAdvice(capture, dir)));
            err.flush();
        }
        return first == null;
    }
}
