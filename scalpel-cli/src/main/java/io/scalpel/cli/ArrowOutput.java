package io.scalpel.cli;

import io.scalpel.api.ArrowPairs;
import io.scalpel.api.Scalpel;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.slice.AtomicOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code slice --arrow FILE}: the selected conn.log rows paired with their packets, as an Arrow IPC file. */
final class ArrowOutput {
    /** What {@link #requireOpenNio()} says when Arrow's memory cannot work in this JVM. */
    static final String NEEDS_OPEN_NIO = "--arrow needs the JVM option --add-opens=java.base/java.nio=ALL-UNNAMED for Arrow's memory"
        + " (java -jar scalpel.jar has it from the jar's manifest; with java -cp give it on the command line)";

    /** The --arrow value that means stdout. */
    static final String STDOUT = "-";

    private ArrowOutput() {
    }

    /**
     * Refuses --arrow, before anything is written, in a JVM that does not open java.nio to
     * Arrow (which would otherwise fail with a stack trace once the first buffer is allocated).
     */
    static void requireOpenNio() {
        if (!Object.class.getModule().isOpen("java.nio", ArrowOutput.class.getModule())) {
            throw new CliException(ExitCode.USAGE, NEEDS_OPEN_NIO);
        }
    }

    /**
     * Writes the pairs of the selection's conn.log rows (tunnels named only in a tunnel.log have no
     * conn.log row and are left out) to {@code file}, atomically, or to {@code stdout} when the file
     * is {@code -}. No file when there is no pair; stdout then gets an Arrow file without batches.
     */
    static SliceCommand.Written write(final Scalpel scalpel, final Scalpel.Selection selection, final List<ConnRecord> connRows,
                                      final Path file, final OutputStream stdout) throws IOException {
        final Map<String, ConnRecord> byUid = new HashMap<>();
        for (ConnRecord r : connRows) {
            byUid.putIfAbsent(r.uid(), r);
        }
        final List<ConnRecord> conns = new ArrayList<>();
        final List<long[]> offsets = new ArrayList<>();
        long pairs = 0;
        for (int i = 0; i < selection.size(); i++) {
            final ConnRecord row = byUid.get(selection.queries().get(i).label());
            if (row != null && selection.offsets(i).length > 0) {
                conns.add(row);
                offsets.add(selection.offsets(i));
                pairs += selection.offsets(i).length;
            }
        }
        if (STDOUT.equals(file.toString())) {
            final OutputStream out = AtomicOutput.guard(stdout, "<stdout>");
            final long rows = ArrowPairs.write(scalpel, conns, offsets.toArray(new long[0][]), out);
            return new SliceCommand.Written(rows, List.of("<stdout>"));
        }
        if (pairs == 0) {
            return new SliceCommand.Written(0, List.of()); // no file for nothing, as with -w
        }
        final long rows = ArrowPairs.write(scalpel, conns, offsets.toArray(new long[0][]), file);
        return new SliceCommand.Written(rows, List.of(file.toString()));
    }
}
