package io.scalpel.cli;

import io.scalpel.api.IndexReport;
import io.scalpel.api.Recompression;
import io.scalpel.api.Scalpel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scalpel index CAPTURE...}: builds each capture's index beside it. */
@Command(name = "index", mixinStandardHelpOptions = true, addMethodSubcommands = false,
    versionProvider = ScalpelCommand.VersionProvider.class,
    description = {
        "Scan captures (pcap or pcapng) and write each one's Parquet packet index beside it (CAPTURE.scalpel/).",
        "A capture that grew since it was indexed is extended: only the records added since are scanned.",
        "An index that no longer describes its capture is rebuilt. Every update is atomic."})
final class IndexCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "CAPTURE", description = "pcap or pcapng files, or directories of them (capture sets)")
    List<Path> captures;

    @Option(names = "--index", paramLabel = "DIR", description = "index directory (only with one CAPTURE; default CAPTURE.scalpel)")
    Path index;

    @Option(names = "--json", description = "print a JSON summary per capture on stdout (one object per line)")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "no progress bar and no summary on stderr")
    boolean quiet;

    @Option(names = "--rebuild", description = "build every index from the start of its capture, even one that could be extended or kept")
    boolean rebuild;

    @Option(names = "--verify", description = "read every byte of each index (page CRCs, part and manifest digests) and report each file;"
        + " nothing is built or written (exit 3 when damaged)")
    boolean verify;

    @Option(names = "--recompress", paramLabel = "OUT",
        description = "write a seekable copy of CAPTURE (gzip members, or zstd frames if OUT ends in .zst, of 1 MiB of capture each) to OUT and index the copy (only with one CAPTURE)")
    Path recompress;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (index != null && captures.size() > 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--index names one index: give one CAPTURE with it");
        }
        if (recompress != null && captures.size() > 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--recompress writes one copy: give one CAPTURE with it");
        }
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        SliceUsage.refuseEmpty(spec.commandLine(), "--index", index);
        SliceUsage.refuseEmpty(spec.commandLine(), "--recompress", recompress);
        if (verify) {
            if (rebuild || recompress != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--verify only reads: give it without --rebuild and --recompress");
            }
            boolean intact = true;
            for (Path capture : captures) {
                intact &= IndexVerification.run(capture, index, json, out, err);
            }
            return (intact ? ExitCode.OK : ExitCode.BAD_INPUT).code();
        }
        if (recompress != null) {
            final Recompression c = Scalpel.recompress(captures.get(0), recompress, index);
            if (!quiet && !json) {
                err.printf(Locale.ROOT, "scalpel: wrote %s: %d bytes of capture in %d %s %ss (%d bytes)%n", recompress, c.bytesIn(),
                    c.units(), c.codec(), c.unit(), c.bytesOut());
            }
            captures = List.of(recompress);
        }
        ScanJit.forScanOf(captures);
        if (captures.size() == 1) {
            index(captures.get(0), out, err);
            return ExitCode.OK.code();
        }
        // Several captures: each one that can be indexed is, whatever happens to the others.
        ExitCode exit = ExitCode.OK;
        final List<String> failed = new ArrayList<>();
        for (Path capture : captures) {
            try {
                index(capture, out, err);
            } catch (Exception e) {
                err.println("scalpel: " + Failures.message(e));
                exit = ExitCode.worst(exit, Failures.exitCode(e));
                failed.add(capture.toString());
            }
        }
        if (!failed.isEmpty()) {
            err.println("scalpel: " + failed.size() + " of " + captures.size() + " captures not indexed: " + String.join(", ", failed));
        }
        err.flush();
        return exit.code();
    }

    /** Indexes one capture (a file, or a directory as a capture set) and reports it. */
    private void index(final Path capture, final PrintWriter out, final PrintWriter err) throws Exception {
        if (java.nio.file.Files.isDirectory(capture)) {
            CaptureSetIndexing.run(capture, index, rebuild, json, quiet, out, err);
            return;
        }
        final IndexReport r;
        try (ProgressDisplay progress = ProgressDisplay.start("index " + capture.getFileName(), !quiet && !json)) {
            r = Scalpel.index(capture, index, progress, rebuild);
        } catch (java.io.IOException e) {
            throw Failures.forIndex(capture, index, e, true);
        }
        report(capture, r, out, err);
    }

    private void report(final Path capture, final IndexReport r, final PrintWriter out, final PrintWriter err) {
        final double seconds = r.elapsedNanos() / 1e9;
        final long bytes = r.captureBytes();
        if (r.truncatedTailOffset() >= 0) {
            err.println("scalpel: warning: " + capture + ": byte offset " + r.truncatedTailOffset()
                + ": last record is incomplete (capture cut short or still being written); indexed every whole record before it");
        }
        for (String w : r.warnings()) {
            err.println("scalpel: warning: " + capture + ": " + w);
        }
        if (r.warningCount() > r.warnings().size()) {
            err.println("scalpel: warning: " + capture + ": " + (r.warningCount() - r.warnings().size()) + " more warnings not shown");
        }
        if (r.compression() != null && !quiet && !json) {
            err.println(CompressionReport.line(capture, r.compression()));
        }
        if (r.mode() == IndexReport.Mode.REBUILT && r.replaced() != null) {
            err.println("scalpel: warning: " + capture + ": rebuilt its index: " + r.replaced());
        }
        if (json) {
            out.println(Json.object(summary(capture, r, seconds, bytes)));
        } else if (!quiet) {
            switch (r.mode()) {
                case UNCHANGED -> err.printf(Locale.ROOT, "up to date %s: %d packets, %d flows, %d bytes; index %s unchanged%n",
                    capture, r.packets(), r.flows(), bytes, r.indexDirectory());
                case EXTENDED -> err.printf(Locale.ROOT,
                    "extended %s: %d new packets from byte %d (%.1f MB in %.2f s); now %d packets, %d flows, %d bytes; index %s (%d bytes, %.2f%% of the capture)%n",
                    capture, r.recordsScanned(), r.scannedFrom(), (bytes - r.scannedFrom()) / 1e6, seconds, r.packets(), r.flows(), bytes,
                    r.indexDirectory(), r.indexBytes(), bytes == 0 ? 0.0 : 100.0 * r.indexBytes() / bytes);
                default -> err.printf(Locale.ROOT,
                    "indexed %s: %d packets, %d flows, %d bytes in %.2f s (%.1f MB/s); index %s (%d bytes, %.2f%% of the capture)%n",
                    capture, r.packets(), r.flows(), bytes, seconds, bytes / 1e6 / Math.max(seconds, 1e-9),
                    r.indexDirectory(), r.indexBytes(), bytes == 0 ? 0.0 : 100.0 * r.indexBytes() / bytes);
            }
        }
        out.flush();
        err.flush();
    }

    private static Map<String, Object> summary(final Path capture, final IndexReport r, final double seconds, final long bytes) {
        final Map<String, Object> s = new java.util.LinkedHashMap<>();
        s.put("capture", capture.toString());
        s.put("index", r.indexDirectory().toString());
        s.put("format", r.captureFormat());
        s.put("packets", r.packets());
        s.put("flows", r.flows());
        s.put("bytes", bytes);
        s.put("mode", r.mode().name().toLowerCase(Locale.ROOT));
        s.put("records_scanned", r.recordsScanned());
        s.put("scanned_from", r.scannedFrom());
        s.put("seconds", seconds);
        s.put("mb_per_second", r.bytesScanned() / 1e6 / Math.max(seconds, 1e-9));
        s.put("index_bytes", r.indexBytes());
        s.put("link_types", new ArrayList<>(r.linkTypes()));
        s.put("first_ts_ns", r.packets() == 0 ? null : r.firstTimestampNanos());
        s.put("last_ts_ns", r.packets() == 0 ? null : r.lastTimestampNanos());
        s.put("truncated_tail_offset", r.truncatedTailOffset() < 0 ? null : r.truncatedTailOffset());
        s.put("non_ip_frames", r.nonIpFrames());
        s.put("undecoded_frames", r.undecodedFrames());
        s.put("warnings", r.warningCount());
        if (r.compression() != null) {
            s.put("compression", CompressionReport.json(r.compression(), -1));
        }
        return s;
    }
}
