package io.scalpel.api;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.extract.AtomicOutput;
import io.scalpel.slice.ExtractOptions;
import io.scalpel.extract.OutputException;
import io.scalpel.slice.Query;
import io.scalpel.extract.RunFiles;
import io.scalpel.slice.Slicer;
import io.scalpel.slice.WindowQuery;
import io.scalpel.zeek.ConnRecord;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where a slice writes, fed selection by selection (a batch of a conn.log, or the one selection of
 * a request): one capture for every selected packet, one capture per query in a directory (each
 * selection's files committed together), an Arrow file pairing conn rows with their packets. No
 * output may be an input of the run or another output ({@link RunFiles}): each is checked before
 * anything is written.
 */
final class SliceOutputs implements Closeable {
    /** How a refusal names a per-uid file of the split directory. */
    static final String SPLIT_FILE = "--split-dir file";

    private final Captures captures;
    private final SliceRequest request;
    private final RunFiles files;
    private final ExtractOptions extract;
    /** The one capture's frames so far, per member file: every selected frame once, in capture order. */
    private final Map<String, CaptureSet.MemberSelection> union = new LinkedHashMap<>();
    private final List<String> written = new ArrayList<>();
    private String arrowWritten;
    private AtomicOutput arrowFile;
    private ArrowPairs.FileWriter arrowWriter;
    private boolean splitDirCreated;
    private long packets;
    private long splitFiles;

    SliceOutputs(final Captures captures, final SliceRequest request, final Consumer<String> warnings) throws IOException {
        this.captures = captures;
        this.request = request;
        this.files = withOutputs(captures.inputs(), request);
        this.extract = ExtractOptions.defaults().withFormat(format(request.format())).withKeepSecrets(request.keepSecrets())
            .withWarnings(warnings);
    }

    /**
     * {@code inputs} (what the captures are) with the request's logs as inputs and its outputs
     * checked against them all.
     *
     * @throws io.scalpel.extract.OutputConflictException when an output is an input or another output
     */
    static RunFiles withOutputs(final RunFiles inputs, final SliceRequest request) throws IOException {
        log(inputs, request.conn(), "the conn.log");
        log(inputs, request.tunnelLog(), "the tunnel.log");
        if (request.write() != null) {
            inputs.output(request.write(), "-w");
        }
        if (request.arrow() != null) {
            inputs.output(request.arrow(), "--arrow");
        }
        if (request.splitDir() != null) {
            inputs.check(request.splitDir(), "--split-dir");
        }
        return inputs;
    }

    /** The format asked for, or null. */
    static CaptureFormat format(final String name) {
        return name == null ? null : name.equals("pcap") ? CaptureFormat.PCAP : CaptureFormat.PCAPNG;
    }

    /** A log read from a file, or each file of a directory of rotated logs, is an input. */
    private static void log(final RunFiles files, final String log, final String what) throws IOException {
        if (log == null || "-".equals(log)) {
            return;
        }
        final Path path = Path.of(log);
        if (Files.isDirectory(path)) {
            files.inputDirectory(path, "the directory of " + what, what);
        } else {
            files.input(path, what);
        }
    }

    /**
     * Writes what {@code selection} found: its per-query files (committed together), its Arrow
     * pairs with {@code rows} ({@code rows.get(i)} for query {@code i}, null: none), and adds its
     * frames to the one capture written by {@link #finish()}.
     */
    void add(final CaptureSet.Selection selection, final List<ConnRecord> rows) throws IOException {
        if (request.splitDir() != null) {
            writeSplit(selection);
        }
        if (request.arrow() != null || request.arrowStream() != null) {
            captures.addPairs(selection, rows, arrow());
        }
        if (request.write() != null || request.writeStream() != null) {
            for (CaptureSet.MemberSelection m : selection.members()) {
                final long[] frames = Slicer.union(m.offsets());
                final CaptureSet.MemberSelection before = union.get(m.member().file());
                union.put(m.member().file(), new CaptureSet.MemberSelection(m.member(), m.capture(),
                    new long[][] {before == null ? frames : Slicer.union(new long[][] {before.offsets()[0], frames})}));
            }
        }
    }

    private void writeSplit(final CaptureSet.Selection selection) throws IOException {
        final Path dir = request.splitDir();
        final Path[] outs = new Path[selection.size()];
        boolean any = false;
        for (int i = 0; i < selection.size(); i++) {
            if (selection.frames(i) == 0) {
                continue;
            }
            final CaptureFormat ext = extract.format() != null ? extract.format() : captures.defaultFormat(selection, i);
            outs[i] = dir.resolve(selection.queries().get(i).label() + "." + ext.extension());
            files.check(outs[i], SPLIT_FILE); // every name checked before the first file is written
            any = true;
        }
        if (!any) {
            return;
        }
        if (!splitDirCreated) {
            createSplitDir(dir);
            splitDirCreated = true;
        }
        final long[] frames = captures.writeEach(selection, outs, dir, extract);
        for (int i = 0; i < outs.length; i++) {
            if (outs[i] != null) {
                packets += frames[i];
                splitFiles++;
                written.add(outs[i].toString());
            }
        }
    }

    /** Creates the split directory, or fails with an output error saying why. */
    static void createSplitDir(final Path dir) throws OutputException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new OutputException("cannot create --split-dir " + dir + ": " + (e instanceof java.nio.file.FileAlreadyExistsException f
                ? f.getFile() + " exists and is not a directory" : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e.getMessage()), e);
        }
    }

    /** The Arrow file, started on first use. */
    private ArrowPairs.FileWriter arrow() throws IOException {
        if (arrowWriter == null) {
            final OutputStream out;
            if (request.arrowStream() != null) {
                out = AtomicOutput.guard(request.arrowStream(), "<stdout>");
            } else {
                arrowFile = AtomicOutput.open(request.arrow());
                out = arrowFile.stream();
            }
            arrowWriter = new ArrowPairs.FileWriter(out);
        }
        return arrowWriter;
    }

    /**
     * Writes the one capture (none when nothing was selected, but a stream still gets a valid,
     * empty capture) and ends the Arrow file (none when it has no pair, but a stream still gets
     * an Arrow file without batches).
     *
     * @return the Arrow pairs written, or -1 without an Arrow output
     */
    long finish() throws IOException {
        if (request.write() != null || request.writeStream() != null) {
            final List<CaptureSet.MemberSelection> members = new ArrayList<>(union.values());
            final CaptureSet.Selection all = new CaptureSet.Selection(List.<Query>of(new WindowQuery("every query", Long.MIN_VALUE,
                Long.MAX_VALUE)), members);
            final long frames = all.frames(0);
            if (request.writeStream() != null) {
                final OutputStream stdout = AtomicOutput.guard(request.writeStream(), "<stdout>");
                packets += captures.write(all, 0, extract, stdout);
                stdout.flush();
                written.add("<stdout>");
            } else if (frames > 0) {
                packets += captures.write(all, 0, extract, request.write());
                written.add(request.write().toString());
            }
        }
        if (request.arrow() == null && request.arrowStream() == null) {
            return -1;
        }
        if (arrowWriter == null) {
            if (request.arrowStream() == null) {
                return 0; // no file for nothing, as with -w
            }
            arrow();
        }
        final long rows = arrowWriter.finish();
        if (arrowFile != null) {
            if (rows == 0) {
                return 0; // not committed: no file for nothing
            }
            arrowFile.commit();
            arrowWritten = request.arrow().toString();
        } else {
            arrowWritten = "<stdout>";
        }
        return rows;
    }

    /** Packets written to the one capture and the per-uid captures. */
    long packets() {
        return packets;
    }

    /** The captures written so far, in order. */
    List<String> captureFiles() {
        return List.copyOf(written);
    }

    /** The Arrow file written, or null. */
    String arrowFile() {
        return arrowWritten;
    }

    /** How many per-uid files were written. */
    long splitFiles() {
        return splitFiles;
    }

    @Override
    public void close() throws IOException {
        if (arrowWriter != null) {
            arrowWriter.close();
        }
        if (arrowFile != null) {
            arrowFile.close();
        }
    }
}
