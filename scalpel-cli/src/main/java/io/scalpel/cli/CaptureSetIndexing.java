package io.scalpel.cli;

import io.scalpel.api.CaptureSet;
import io.scalpel.api.CaptureSetIndexReport;
import io.scalpel.api.IndexReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code scalpel index DIR}: the index of a capture set (a directory of rotated captures). */
final class CaptureSetIndexing {
    private CaptureSetIndexing() {
    }

    static void run(final Path directory, final Path index, final boolean rebuild, final boolean json, final boolean quiet,
                    final PrintWriter out, final PrintWriter err) throws IOException {
        final long started = System.nanoTime();
        final CaptureSetIndexReport r;
        try (ProgressDisplay progress = ProgressDisplay.start("index " + directory.getFileName(), !quiet && !json)) {
            r = CaptureSet.index(directory, index, progress, rebuild);
        } catch (IOException e) {
            throw Failures.forIndex(directory, index != null ? index : CaptureSet.defaultIndexOf(directory), e, true);
        }
        final double seconds = (System.nanoTime() - started) / 1e9;
        final long packets = r.packets();
        final List<String> scanned = new ArrayList<>();
        final List<Map<String, Object>> members = new ArrayList<>();
        for (CaptureSetIndexReport.Member m : r.members()) {
            final IndexReport mr = m.report();
            if (mr.mode() != IndexReport.Mode.UNCHANGED) {
                scanned.add(m.file());
            }
            if (mr.replaced() != null) {
                err.println("scalpel: warning: " + directory.resolve(m.file()) + ": rebuilt its index: " + mr.replaced());
            }
            for (String w : mr.warnings()) {
                err.println("scalpel: warning: " + directory.resolve(m.file()) + ": " + w);
            }
            if (mr.truncatedTailOffset() >= 0) {
                err.println("scalpel: warning: " + directory.resolve(m.file()) + ": byte offset " + mr.truncatedTailOffset()
                    + ": last record is incomplete (capture cut short or still being written); indexed every whole record before it");
            }
            final Map<String, Object> s = new LinkedHashMap<>();
            s.put("file", m.file());
            s.put("format", mr.captureFormat());
            s.put("mode", mr.mode().name().toLowerCase(Locale.ROOT));
            s.put("packets", mr.packets());
            s.put("records_scanned", mr.recordsScanned());
            s.put("link_types", new ArrayList<>(mr.linkTypes()));
            s.put("first_ts_ns", mr.packets() == 0 ? null : mr.firstTimestampNanos());
            s.put("last_ts_ns", mr.packets() == 0 ? null : mr.lastTimestampNanos());
            members.add(s);
        }
        if (json) {
            final Map<String, Object> s = new LinkedHashMap<>();
            s.put("capture_set", directory.toString());
            s.put("index", r.indexDirectory().toString());
            s.put("packets", packets);
            s.put("files_opened", r.members().stream().map(CaptureSetIndexReport.Member::file).toList());
            s.put("files_scanned", scanned);
            s.put("removed", r.removed());
            s.put("seconds", seconds);
            s.put("members", members);
            out.println(Json.object(s));
        } else if (!quiet) {
            err.printf(Locale.ROOT, "indexed capture set %s: %d member files (%d scanned, %d up to date, %d removed), %d packets"
                    + " in %.2f s; index %s%n", directory, r.members().size(), scanned.size(), r.members().size() - scanned.size(),
                r.removed().size(), packets, seconds, r.indexDirectory());
        }
        out.flush();
        err.flush();
    }
}
