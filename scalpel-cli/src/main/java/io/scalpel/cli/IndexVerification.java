package io.scalpel.cli;

import io.scalpel.api.CaptureSet;
import io.scalpel.api.IndexCheck;
import io.scalpel.api.Scalpel;
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
        final IndexCheck check = set ? CaptureSet.verify(capture, index) : Scalpel.verify(capture, index);
        final Path dir = check.indexDirectory();
        final List<IndexCheck.File> damaged = check.damaged();
        long bytes = 0;
        for (IndexCheck.File c : check.files()) {
            bytes += c.file().equals(capture.toString()) ? 0 : Math.max(0, c.bytes());
        }
        if (json) {
            final List<Map<String, Object>> files = new ArrayList<>();
            for (IndexCheck.File c : check.files()) {
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
            s.put("intact", damaged.isEmpty());
            s.put("files", files);
            out.println(Json.object(s));
        } else {
            out.printf(Locale.ROOT, "%s %s: %d files, %d bytes of index%n", damaged.isEmpty() ? "intact" : "damaged", dir,
                check.files().size(), bytes);
            for (IndexCheck.File c : check.files()) {
                out.printf(Locale.ROOT, "  %-8s %s%s%n", c.intact() ? "ok" : "DAMAGED", c.file(),
                    c.intact() ? (c.bytes() >= 0 ? " (" + c.bytes() + " bytes)" : "") : ": " + c.problem());
            }
        }
        out.flush();
        if (!damaged.isEmpty()) {
            final IndexCheck.File first = damaged.get(0);
            err.println("scalpel: index " + dir + ": " + damaged.size() + " of " + check.files().size() + " files damaged, first "
                + first.file() + ": " + first.problem() + "; " + check.rebuildAdvice());
            err.flush();
        }
        return damaged.isEmpty();
    }
}
